// Bodies for pbi/powerbi/dataset.hpp.
#pragma once

#include <pbi/powerbi/dataset.hpp>
#include <pbi/powerbi/impl/dashboard.ipp> // read_items() and the field readers of detail::models

namespace pbi::powerbi {
namespace detail::models {

inline std::error_code read(const boost::json::object& o, dataset& d) {
    if (!required(o, "id", d.id) || !required(o, "name", d.name))
        return errc::unexpected_json;
    optional_bool(o, "isRefreshable", d.is_refreshable);
    optional_bool(o, "isEffectiveIdentityRequired", d.is_effective_identity_required);
    optional_bool(o, "isEffectiveIdentityRolesRequired", d.is_effective_identity_roles_required);
    optional_string(o, "configuredBy", d.configured_by);
    optional_string(o, "webUrl", d.web_url);
    return {};
}

inline void optional_time(const boost::json::object& o, std::string_view key,
                          std::optional<std::chrono::system_clock::time_point>& out) {
    std::string text;
    if (body::get_string(o, key, text) == body::field::ok)
        out = parse_datetime(text);
}

inline std::error_code read(const boost::json::object& o, refresh_entry& r) {
    if (!required(o, "requestId", r.request_id) || !required(o, "status", r.status))
        return errc::unexpected_json;
    body::get_int(o, "id", r.id);
    optional_string(o, "refreshType", r.refresh_type);
    optional_time(o, "startTime", r.start_time);
    optional_time(o, "endTime", r.end_time);
    optional_string(o, "serviceExceptionJson", r.service_exception_json);
    return {};
}

} // namespace detail::models

PBI_DECL std::error_code parse_datasets(std::string_view text, std::vector<dataset>& out) {
    auto read = [](const boost::json::object& o, dataset& d) {
        return detail::models::read(o, d);
    };
    return detail::models::read_items(text, out, read);
}

PBI_DECL std::error_code parse_dataset(std::string_view text, dataset& out) {
    boost::json::object o;
    if (auto ec = pbi::detail::body::parse_object(text, std::nullopt, o))
        return ec;
    dataset d;
    if (auto ec = detail::models::read(o, d))
        return ec;
    out = std::move(d);
    return {};
}

PBI_DECL std::error_code parse_refreshes(std::string_view text, std::vector<refresh_entry>& out) {
    auto read = [](const boost::json::object& o, refresh_entry& r) {
        return detail::models::read(o, r);
    };
    return detail::models::read_items(text, out, read);
}

} // namespace pbi::powerbi
