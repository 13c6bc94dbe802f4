// Bodies for pbi/http/fields.hpp.
#pragma once

#include <pbi/http/fields.hpp>

#include <algorithm>

namespace pbi::http {

PBI_DECL bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]);
        unsigned char y = static_cast<unsigned char>(b[i]);
        // ASCII-only folding: header names are tokens, and locale-dependent tolower would be wrong.
        if (x >= 'A' && x <= 'Z')
            x = static_cast<unsigned char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<unsigned char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

PBI_DECL void fields::set(std::string_view name, std::string value) {
    auto first =
        std::find_if(list_.begin(), list_.end(), [&](const field& f) { return iequals(f.name, name); });
    if (first == list_.end()) {
        list_.push_back({std::string(name), std::move(value)});
        return;
    }
    // Keep the position of the first occurrence so that field order stays stable.
    first->value = std::move(value);
    list_.erase(
        std::remove_if(std::next(first), list_.end(), [&](const field& f) { return iequals(f.name, name); }),
        list_.end());
}

PBI_DECL void fields::erase(std::string_view name) {
    list_.erase(
        std::remove_if(list_.begin(), list_.end(), [&](const field& f) { return iequals(f.name, name); }),
        list_.end());
}

PBI_DECL std::optional<std::string_view> fields::get(std::string_view name) const {
    for (const auto& f : list_)
        if (iequals(f.name, name))
            return std::string_view(f.value);
    return std::nullopt;
}

PBI_DECL std::optional<std::string> fields::combined(std::string_view name) const {
    std::optional<std::string> out;
    for (const auto& f : list_) {
        if (!iequals(f.name, name))
            continue;
        if (!out)
            out.emplace(f.value);
        else {
            out->append(", ");
            out->append(f.value);
        }
    }
    return out;
}

} // namespace pbi::http
