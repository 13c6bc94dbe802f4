// Bodies for pbi/powerbi/models.hpp.
#pragma once

#include <pbi/powerbi/models.hpp>

#include <pbi/detail/response_body.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <limits>
#include <utility>

namespace pbi::powerbi {
namespace detail::models {

namespace body = pbi::detail::body;

// The elements of a list answer: `{"value":[...]}` or a bare array.
inline std::error_code list_items(std::string_view text, boost::json::array& items) {
    auto b = body::skip_preamble(text);
    if (!b.empty() && b.front() == '[') {
        boost::json::error_code jec;
        auto v = boost::json::parse(b, jec);
        if (jec)
            return errc::malformed_json;
        items = std::move(v.as_array());
        return {};
    }
    boost::json::object o;
    if (auto ec = body::parse_object(text, std::nullopt, o))
        return ec;
    auto* value = o.if_contains("value");
    if (!value || !value->is_array())
        return errc::unexpected_json;
    items = std::move(value->as_array());
    return {};
}

// A required string: present, a string, and not empty.
inline bool required(const boost::json::object& o, std::string_view key, std::string& out) {
    return body::get_string(o, key, out) == body::field::ok && !out.empty();
}

inline void optional_string(const boost::json::object& o, std::string_view key,
                            std::optional<std::string>& out) {
    if (body::get_string(o, key, out) == body::field::wrong_type)
        out.reset();
}

inline void optional_string(const boost::json::object& o, std::string_view key, std::string& out) {
    if (body::get_string(o, key, out) == body::field::wrong_type)
        out.clear();
}

inline void optional_bool(const boost::json::object& o, std::string_view key, bool& out) {
    bool b = false;
    if (body::get_bool(o, key, b) == body::field::ok)
        out = b;
}

inline std::error_code read(const boost::json::object& o, workspace& w) {
    if (!required(o, "id", w.id) || !required(o, "name", w.name))
        return errc::unexpected_json;
    optional_bool(o, "isReadOnly", w.is_read_only);
    optional_bool(o, "isOnDedicatedCapacity", w.is_on_dedicated_capacity);
    optional_string(o, "capacityId", w.capacity_id);
    optional_string(o, "type", w.type);
    return {};
}

inline std::error_code read(const boost::json::object& o, report& r) {
    if (!required(o, "id", r.id) || !required(o, "name", r.name))
        return errc::unexpected_json;
    optional_string(o, "reportType", r.report_type);
    optional_string(o, "datasetId", r.dataset_id);
    optional_string(o, "webUrl", r.web_url);
    optional_string(o, "embedUrl", r.embed_url);
    optional_string(o, "description", r.description);
    optional_string(o, "appId", r.app_id);
    optional_bool(o, "isOwnedByMe", r.is_owned_by_me);
    return {};
}

inline std::error_code read(const boost::json::object& o, page& p) {
    if (!required(o, "name", p.name))
        return errc::unexpected_json;
    optional_string(o, "displayName", p.display_name);
    std::int64_t order = 0;
    if (body::get_int(o, "order", order) == body::field::ok && order >= std::numeric_limits<int>::min() &&
        order <= std::numeric_limits<int>::max())
        p.order = static_cast<int>(order);
    return {};
}

template <class T>
std::error_code read_list(std::string_view text, std::vector<T>& out) {
    boost::json::array items;
    if (auto ec = list_items(text, items))
        return ec;
    std::vector<T> result;
    result.reserve(items.size());
    for (const auto& item : items) {
        const auto* o = item.if_object();
        if (!o)
            return errc::unexpected_json;
        T value;
        if (auto ec = read(*o, value))
            return ec;
        result.push_back(std::move(value));
    }
    out = std::move(result);
    return {};
}

struct cursor {
    std::string_view s;

    bool digits(std::size_t n, int& out) {
        if (s.size() < n)
            return false;
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            v = v * 10 + (s[i] - '0');
        }
        s.remove_prefix(n);
        out = v;
        return true;
    }
    bool one_of(std::string_view chars) {
        if (s.empty() || chars.find(s.front()) == std::string_view::npos)
            return false;
        s.remove_prefix(1);
        return true;
    }
};

} // namespace detail::models

PBI_DECL bool report::is_paginated() const noexcept {
    return pbi::detail::body::iequals(report_type, "PaginatedReport");
}

PBI_DECL std::ostream& operator<<(std::ostream& os, const embed_token& t) {
    return os << "embed_token{token_id=" << t.token_id << ", expiration=" << format_datetime(t.expiration)
              << ", token=" << t.token << '}';
}

PBI_DECL bool same_id(std::string_view a, std::string_view b) noexcept {
    return pbi::detail::body::iequals(a, b);
}

namespace detail::models {
inline boost::json::array identities_json(const std::vector<effective_identity>& list) {
    boost::json::array identities;
    for (const auto& id : list) {
        boost::json::object i;
        i["username"] = id.username;
        if (!id.roles.empty()) {
            boost::json::array roles;
            for (const auto& r : id.roles)
                roles.emplace_back(r);
            i["roles"] = std::move(roles);
        }
        if (!id.datasets.empty()) {
            boost::json::array datasets;
            for (const auto& d : id.datasets)
                datasets.emplace_back(d);
            i["datasets"] = std::move(datasets);
        }
        if (id.custom_data)
            i["customData"] = *id.custom_data;
        identities.emplace_back(std::move(i));
    }
    return identities;
}
} // namespace detail::models

PBI_DECL std::string generate_token_request_body(const generate_token_request& request) {
    boost::json::object o;
    o["accessLevel"] = request.access_level;
    if (!request.identities.empty())
        o["identities"] = detail::models::identities_json(request.identities);
    if (request.lifetime_in_minutes)
        o["lifetimeInMinutes"] = *request.lifetime_in_minutes;
    return boost::json::serialize(o);
}

PBI_DECL std::string generate_token_v2_request_body(const generate_token_v2_request& request) {
    auto ids = [](const std::vector<std::string>& list) {
        boost::json::array a;
        for (const auto& id : list)
            a.emplace_back(boost::json::object{{"id", id}});
        return a;
    };
    boost::json::object o;
    if (!request.datasets.empty())
        o["datasets"] = ids(request.datasets);
    if (!request.reports.empty()) {
        boost::json::array reports;
        for (const auto& r : request.reports) {
            boost::json::object one{{"id", r.id}};
            if (r.allow_edit)
                one["allowEdit"] = true;
            reports.emplace_back(std::move(one));
        }
        o["reports"] = std::move(reports);
    }
    if (!request.target_workspaces.empty())
        o["targetWorkspaces"] = ids(request.target_workspaces);
    if (!request.identities.empty())
        o["identities"] = detail::models::identities_json(request.identities);
    if (request.lifetime_in_minutes)
        o["lifetimeInMinutes"] = *request.lifetime_in_minutes;
    return boost::json::serialize(o);
}

PBI_DECL std::optional<std::chrono::system_clock::time_point> parse_datetime(std::string_view text) {
    using namespace std::chrono;
    detail::models::cursor c{pbi::detail::body::trim(text)};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!(c.digits(4, y) && c.one_of("-") && c.digits(2, mo) && c.one_of("-") && c.digits(2, d) &&
          c.one_of("Tt ") && c.digits(2, h) && c.one_of(":") && c.digits(2, mi) && c.one_of(":") &&
          c.digits(2, s)))
        return std::nullopt;
    if (h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;

    nanoseconds fraction{0};
    if (c.one_of(".,")) {
        std::int64_t scale = 100000000;
        std::size_t n = 0;
        while (!c.s.empty() && c.s.front() >= '0' && c.s.front() <= '9') {
            fraction += nanoseconds{(c.s.front() - '0') * scale};
            scale /= 10;
            c.s.remove_prefix(1);
            ++n;
        }
        if (n == 0)
            return std::nullopt;
    }

    minutes offset{0};
    if (c.one_of("Zz")) {
    } else if (!c.s.empty() && (c.s.front() == '+' || c.s.front() == '-')) {
        const bool west = c.s.front() == '-';
        c.s.remove_prefix(1);
        int oh = 0, om = 0;
        if (!c.digits(2, oh))
            return std::nullopt;
        c.one_of(":");
        if (!c.digits(2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = hours{oh} + minutes{om};
        if (west)
            offset = -offset;
    }
    if (!c.s.empty())
        return std::nullopt;
    // A date the clock cannot hold (libstdc++'s system_clock counts int64 nanoseconds: years
    // 1678-2261) is refused: converting it would overflow, which is undefined behaviour.
    // The margin of two days covers the time of day and the offset added below.
    const auto day_seconds = duration_cast<seconds>(sys_days{ymd}.time_since_epoch());
    const auto limit = duration_cast<seconds>(system_clock::duration::max()) - std::chrono::days{2};
    if (day_seconds > limit || day_seconds < -limit)
        return std::nullopt;

    auto local = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + fraction;
    return time_point_cast<system_clock::duration>(local - offset);
}

PBI_DECL std::string format_datetime(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto days = floor<std::chrono::days>(secs);
    year_month_day ymd{days};
    hh_mm_ss<seconds> tod{secs - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                  static_cast<int>(tod.seconds().count()));
    return buf;
}

PBI_DECL std::error_code parse_workspaces(std::string_view text, std::vector<workspace>& out) {
    return detail::models::read_list(text, out);
}

PBI_DECL std::error_code parse_reports(std::string_view text, std::vector<report>& out) {
    return detail::models::read_list(text, out);
}

PBI_DECL std::error_code parse_report(std::string_view text, report& out) {
    boost::json::object o;
    if (auto ec = pbi::detail::body::parse_object(text, std::nullopt, o))
        return ec;
    report r;
    if (auto ec = detail::models::read(o, r))
        return ec;
    out = std::move(r);
    return {};
}

PBI_DECL std::error_code parse_pages(std::string_view text, std::vector<page>& out) {
    return detail::models::read_list(text, out);
}

PBI_DECL std::error_code parse_embed_token(std::string_view text, embed_token& out) {
    namespace body = pbi::detail::body;
    boost::json::object o;
    if (auto ec = body::parse_object(text, std::nullopt, o))
        return ec;
    embed_token t;
    std::string token;
    if (!detail::models::required(o, "token", token))
        return errc::unexpected_json;
    t.token = secret{std::move(token)};
    detail::models::optional_string(o, "tokenId", t.token_id);
    std::string expiration;
    if (body::get_string(o, "expiration", expiration) != body::field::ok)
        return errc::unexpected_json;
    auto when = parse_datetime(expiration);
    if (!when)
        return errc::unexpected_json;
    t.expiration = *when;
    out = std::move(t);
    return {};
}

} // namespace pbi::powerbi
