// pbi-async — emulator internals: randomness, GUIDs, timestamps and the tokens the emulator
// hands out (JWT-shaped access tokens, opaque refresh and embed tokens). Nothing here is
// cryptographically meaningful: the tokens only have to look and weigh like the real ones.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>

namespace pbi::testing::detail {

/// A seeded PRNG (not thread-safe: the emulator holds its state lock while using it).
class random_source {
public:
    explicit random_source(std::uint64_t seed) : engine_(seed != 0 ? seed : entropy()) {}

    std::uint64_t next() { return engine_(); }
    /// Uniform in [lo, hi] (inclusive).
    std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
        return hi <= lo ? lo : std::uniform_int_distribution<std::int64_t>(lo, hi)(engine_);
    }
    std::string bytes(std::size_t n) {
        std::string out(n, '\0');
        for (auto& c : out) {
            c = static_cast<char>(engine_() & 0xff);
        }
        return out;
    }
    /// A random (version 4) GUID, lower-case, 8-4-4-4-12.
    std::string guid() {
        std::uint64_t a = engine_(), b = engine_();
        a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
        b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
        char buf[40];
        std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                      static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                      static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
        return buf;
    }

private:
    static std::uint64_t entropy() {
        std::random_device rd;
        return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
               static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
    std::mt19937_64 engine_;
};

/// Base64 (RFC 4648 §4) or base64url (§5); `pad` adds '=' padding.
inline std::string base64_encode(std::string_view in, bool url, bool pad) {
    const char* table = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                            : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t v =
            (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) | std::uint8_t(in[i + 2]);
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i < in.size()) {
        std::uint32_t v = std::uint8_t(in[i]) << 16;
        if (i + 1 < in.size()) {
            v |= std::uint8_t(in[i + 1]) << 8;
        }
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        if (i + 1 < in.size()) {
            out += table[(v >> 6) & 63];
        } else if (pad) {
            out += '=';
        }
        if (pad) {
            out += '=';
        }
    }
    return out;
}

inline std::int64_t epoch_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

namespace time_text {
inline std::string format(std::chrono::system_clock::time_point t, const char* pattern) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto day = floor<days>(secs);
    year_month_day ymd{day};
    hh_mm_ss hms{secs - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, pattern, static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
}
} // namespace time_text

/// Entra's `timestamp` form: "2024-05-01 10:00:00Z".
inline std::string format_entra_timestamp(std::chrono::system_clock::time_point t) {
    return time_text::format(t, "%04d-%02u-%02u %02d:%02d:%02dZ");
}

/// ISO 8601 in UTC with seconds: "2024-07-29T17:58:19Z" (embed token `expiration`).
inline std::string format_iso8601(std::chrono::system_clock::time_point t) {
    return time_text::format(t, "%04d-%02u-%02uT%02d:%02d:%02dZ");
}

/// A JWT-shaped token: base64url(header).base64url(payload).base64url(256 random bytes, like
/// an RS256 signature). When `target_size` is larger than the natural size, an `aio` claim of
/// random base64 pads the token to about that many characters.
inline std::string mint_jwt(random_source& random, boost::json::object payload, std::size_t target_size) {
    boost::json::object header{{"typ", "JWT"},
                               {"alg", "RS256"},
                               {"x5t", base64_encode(random.bytes(20), true, false)},
                               {"kid", base64_encode(random.bytes(20), true, false)}};
    std::string head = base64_encode(boost::json::serialize(header), true, false);
    std::string signature = base64_encode(random.bytes(256), true, false);
    std::size_t natural =
        head.size() + signature.size() + 2 + (boost::json::serialize(payload).size() + 2) / 3 * 4 + 12;
    if (target_size > natural) {
        std::size_t pad = (target_size - natural) * 3 / 4;
        std::string aio = base64_encode(random.bytes(pad), false, false);
        aio.resize(pad);
        payload["aio"] = aio;
    }
    return head + '.' + base64_encode(boost::json::serialize(payload), true, false) + '.' + signature;
}

/// An opaque refresh token shaped like Entra's ("1.AXkA..." and ~1 KB of base64url).
inline std::string mint_refresh_token(random_source& random) {
    return "1.AX" +
           base64_encode(random.bytes(static_cast<std::size_t>(random.uniform(700, 820))), true, false);
}

/// An opaque embed token shaped like Power BI's: base64 of gzip data ("H4sI..."), with the
/// '+', '/' and '=' a client must pass through untouched.
inline std::string mint_embed_token(random_source& random) {
    std::string bytes = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\x00";
    bytes += random.bytes(static_cast<std::size_t>(random.uniform(620, 760)));
    if (bytes.size() % 3 == 0) {
        bytes.pop_back(); // keep at least one '=' of padding
    }
    std::string token = base64_encode(bytes, false, true);
    // Guarantee the characters that break careless clients appear at least once.
    token[40] = '+';
    token[41] = '/';
    return token;
}

} // namespace pbi::testing::detail
