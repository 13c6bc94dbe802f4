// pbi-async — HTTP header fields: an ordered list with case-insensitive lookup.
#pragma once

#include <pbi/config.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbi::http {

/// True when two header names are equal ignoring ASCII case.
PBI_DECL bool iequals(std::string_view a, std::string_view b) noexcept;

/// Header fields in arrival order. Names compare case-insensitively; duplicates are kept.
class fields {
public:
    struct field {
        std::string name;
        std::string value;
    };

    void add(std::string name, std::string value) { list_.push_back({std::move(name), std::move(value)}); }
    /// Replaces every field with this name by one field.
    PBI_DECL void set(std::string_view name, std::string value);
    PBI_DECL void erase(std::string_view name);
    /// The first field with this name.
    PBI_DECL std::optional<std::string_view> get(std::string_view name) const;
    /// All values of this name joined with ", " (RFC 9110 list folding); nullopt when absent.
    PBI_DECL std::optional<std::string> combined(std::string_view name) const;
    bool contains(std::string_view name) const { return get(name).has_value(); }

    auto begin() const { return list_.begin(); }
    auto end() const { return list_.end(); }
    std::size_t size() const { return list_.size(); }
    bool empty() const { return list_.empty(); }
    void clear() { list_.clear(); }

private:
    std::vector<field> list_;
};

} // namespace pbi::http

#if defined(PBI_HEADER_ONLY)
#include <pbi/http/impl/fields.ipp>
#endif
