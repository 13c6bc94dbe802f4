// pbi-async — pbi::secret, a string that never prints itself (passwords, client secrets, tokens).
#pragma once

#include <pbi/config.hpp>

#include <cstddef>
#include <ostream>
#include <string>
#include <utility>

namespace pbi {

/// A sensitive string: a password, a client secret, an access, refresh or embed token.
///
/// It has no implicit conversion to `std::string`; the only way to read it is `reveal()`, so
/// every place that sends a secret over the wire is easy to find. `operator<<` and `masked()`
/// print "********" (or "(empty)"), never the value. The storage is overwritten with zeros
/// when the secret is destroyed, assigned over or moved from (best effort: copies the program
/// made itself with `reveal()` are out of reach).
class secret {
public:
    secret() = default;
    explicit secret(std::string value) noexcept : value_(std::move(value)) {}
    explicit secret(const char* value) : value_(value) {}

    secret(const secret& other) : value_(other.value_) {}
    secret(secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
    secret& operator=(const secret& other) {
        if (this != &other) {
            wipe();
            value_ = other.value_;
        }
        return *this;
    }
    secret& operator=(secret&& other) noexcept {
        if (this != &other) {
            wipe();
            value_ = std::move(other.value_);
            other.wipe();
        }
        return *this;
    }
    ~secret() { wipe(); }

    /// The value itself. Call it only where the secret leaves the process (a request body, an
    /// Authorization header) or is compared.
    const std::string& reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    /// The length in bytes (safe to log).
    std::size_t size() const noexcept { return value_.size(); }
    /// "********", or "(empty)" for an empty secret. The length is not revealed.
    const char* masked() const noexcept { return value_.empty() ? "(empty)" : "********"; }
    /// Overwrites and empties the value.
    void clear() noexcept { wipe(); }

    /// Compares in time that depends on the lengths only, not on where the values differ.
    friend bool operator==(const secret& a, const secret& b) noexcept {
        const std::string& x = a.value_;
        const std::string& y = b.value_;
        if (x.size() != y.size())
            return false;
        unsigned char diff = 0;
        for (std::size_t i = 0; i < x.size(); ++i)
            diff |= static_cast<unsigned char>(x[i] ^ y[i]);
        return diff == 0;
    }

    /// Prints `masked()`.
    friend std::ostream& operator<<(std::ostream& os, const secret& s) { return os << s.masked(); }

private:
    void wipe() noexcept {
        // resize() to the capacity makes every byte of the buffer addressable, so the whole
        // buffer (including a short-string buffer a move left behind) can be zeroed.
        value_.resize(value_.capacity());
        volatile char* p = value_.data();
        for (std::size_t i = 0; i < value_.size(); ++i)
            p[i] = 0;
        value_.clear();
    }

    std::string value_;
};

} // namespace pbi
