// Bodies for pbi/powerbi/dashboard.hpp.
#pragma once

#include <pbi/powerbi/dashboard.hpp>
#include <pbi/powerbi/impl/models.ipp> // the field readers of detail::models

#include <limits>

namespace pbi::powerbi {
namespace detail::models {

inline void optional_int(const boost::json::object& o, std::string_view key, int& out) {
    std::int64_t v = 0;
    if (body::get_int(o, key, v) == body::field::ok && v >= std::numeric_limits<int>::min() &&
        v <= std::numeric_limits<int>::max())
        out = static_cast<int>(v);
}

inline std::error_code read(const boost::json::object& o, dashboard& d) {
    if (!required(o, "id", d.id) || !required(o, "displayName", d.display_name))
        return errc::unexpected_json;
    optional_bool(o, "isReadOnly", d.is_read_only);
    optional_string(o, "webUrl", d.web_url);
    optional_string(o, "embedUrl", d.embed_url);
    return {};
}

inline std::error_code read(const boost::json::object& o, tile& t) {
    if (!required(o, "id", t.id))
        return errc::unexpected_json;
    optional_string(o, "title", t.title);
    optional_string(o, "embedUrl", t.embed_url);
    optional_int(o, "rowSpan", t.row_span);
    optional_int(o, "colSpan", t.col_span);
    optional_string(o, "reportId", t.report_id);
    optional_string(o, "datasetId", t.dataset_id);
    return {};
}

// A template finds only the readers declared before it (none of them is found by ADL), so the
// lists of this and later headers name their reader.
template <class T, class Read>
std::error_code read_items(std::string_view text, std::vector<T>& out, Read read) {
    boost::json::array items;
    if (auto ec = list_items(text, items))
        return ec;
    std::vector<T> result;
    result.reserve(items.size());
    for (const auto& item : items) {
        const auto* o = item.if_object();
        T value;
        if (!o)
            return errc::unexpected_json;
        if (auto ec = read(*o, value))
            return ec;
        result.push_back(std::move(value));
    }
    out = std::move(result);
    return {};
}

} // namespace detail::models

PBI_DECL std::error_code parse_dashboards(std::string_view text, std::vector<dashboard>& out) {
    auto read = [](const boost::json::object& o, dashboard& d) {
        return detail::models::read(o, d);
    };
    return detail::models::read_items(text, out, read);
}

PBI_DECL std::error_code parse_tiles(std::string_view text, std::vector<tile>& out) {
    auto read = [](const boost::json::object& o, tile& t) {
        return detail::models::read(o, t);
    };
    return detail::models::read_items(text, out, read);
}

namespace detail::models {
template <class T>
std::error_code read_dashboard_or_tile(std::string_view text, T& out) {
    boost::json::object o;
    if (auto ec = pbi::detail::body::parse_object(text, std::nullopt, o))
        return ec;
    T value;
    if (auto ec = read(o, value))
        return ec;
    out = std::move(value);
    return {};
}
} // namespace detail::models

PBI_DECL std::error_code parse_dashboard(std::string_view text, dashboard& out) {
    return detail::models::read_dashboard_or_tile(text, out);
}

PBI_DECL std::error_code parse_tile(std::string_view text, tile& out) {
    return detail::models::read_dashboard_or_tile(text, out);
}

} // namespace pbi::powerbi
