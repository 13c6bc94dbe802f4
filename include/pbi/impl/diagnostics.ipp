// Bodies for pbi/diagnostics.hpp.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/http/date.hpp>

#include <algorithm>

namespace pbi {

PBI_DECL const char* to_string(failure_source s) noexcept {
    switch (s) {
    case failure_source::none:
        return "none";
    case failure_source::transport:
        return "transport";
    case failure_source::entra:
        return "entra";
    case failure_source::powerbi:
        return "powerbi";
    }
    return "unknown";
}

PBI_DECL std::ostream& operator<<(std::ostream& os, const diagnostics& d) {
    auto line = [&os](const char* name, const std::string& value) {
        if (!value.empty())
            os << name << ": " << value << '\n';
    };
    line("message", d.message);
    line("hint", d.hint);
    if (d.source != failure_source::none)
        os << "source: " << to_string(d.source) << '\n';
    if (d.http_status != 0)
        os << "http status: " << d.http_status << '\n';
    line("error", d.error);
    line("suberror", d.suberror);
    if (!d.error_codes.empty()) {
        os << "error codes:";
        for (auto c : d.error_codes)
            os << " AADSTS" << c;
        os << '\n';
    }
    line("server message", d.server_message);
    line("trace id", d.trace_id);
    line("correlation id", d.correlation_id);
    line("request id", d.request_id);
    line("x-powerbi-error-info", d.powerbi_error_info);
    line("client request id", d.client_request_id);
    line("proxy", d.proxy);
    if (d.proxy_status != 0)
        os << "proxy status: " << d.proxy_status << '\n';
    if (d.retry_after)
        os << "retry after: " << d.retry_after->count() << " s\n";
    if (d.attempts > 1)
        os << "attempts: " << d.attempts << '\n';
    if (d.clock_skew && (*d.clock_skew > clock_skew_tolerance || *d.clock_skew < -clock_skew_tolerance))
        os << "clock skew: " << (d.clock_skew->count() > 0 ? "+" : "") << d.clock_skew->count()
           << " s (server minus this machine)\n";
    for (const auto& w : d.warnings)
        line("warning", w);
    return os;
}

namespace detail {
inline constexpr std::string_view clock_warning_prefix = "this machine's clock is ";

// "10 min 5 s", "3 h 2 min", "42 s"
inline std::string plain_duration(std::chrono::seconds d) {
    const auto total = d.count();
    const auto h = total / 3600, m = (total % 3600) / 60, s = total % 60;
    std::string out;
    auto add = [&out](long long v, const char* unit) {
        if (!out.empty())
            out += ' ';
        out += std::to_string(v) + ' ' + unit;
    };
    if (h)
        add(h, "h");
    if (m)
        add(m, "min");
    if (s || out.empty())
        add(s, "s");
    return out;
}
} // namespace detail

PBI_DECL void note_clock_skew(std::optional<std::string_view> date_header,
                              std::chrono::system_clock::time_point local_now, diagnostics& diag) {
    if (!date_header)
        return;
    const auto server = http::parse_http_date(*date_header);
    if (!server)
        return;
    const auto skew = std::chrono::duration_cast<std::chrono::seconds>(*server - local_now);
    diag.clock_skew = skew;
    auto& w = diag.warnings;
    w.erase(
        std::remove_if(w.begin(), w.end(),
                       [](const std::string& s) { return s.rfind(detail::clock_warning_prefix, 0) == 0; }),
        w.end());
    if (skew <= clock_skew_tolerance && skew >= -clock_skew_tolerance)
        return;
    w.push_back(
        std::string(detail::clock_warning_prefix) +
        detail::plain_duration(skew < skew.zero() ? -skew : skew) +
        (skew > skew.zero() ? " behind" : " ahead of") +
        " the server's (its Date header): synchronise this machine's clock (NTP); a wrong clock breaks "
        "certificate checks and time-stamped logs");
}

PBI_DECL void diagnostics::redact(std::string_view secret) {
    if (secret.size() < 4)
        return;
    // A server's text reaches diagnostics cut to an excerpt (body::max_server_text), so a long
    // secret it echoed may be there only in part: mask every copy of the secret's first 16
    // characters together with as much of the rest as follows it.
    const auto probe = secret.substr(0, std::min<std::size_t>(secret.size(), 16));
    auto scrub = [secret, probe](std::string& text) {
        for (auto at = text.find(probe); at != std::string::npos; at = text.find(probe, at + 8)) {
            auto n = probe.size();
            while (n < secret.size() && at + n < text.size() && text[at + n] == secret[n])
                ++n;
            text.replace(at, n, "********");
        }
    };
    for (std::string* field :
         {&error, &suberror, &trace_id, &correlation_id, &claims, &request_id, &powerbi_error_info,
          &client_request_id, &proxy, &server_message, &message, &hint})
        scrub(*field);
    for (auto& w : warnings)
        scrub(w);
}

} // namespace pbi
