// Bodies for pbi/diagnostics.hpp.
#pragma once

#include <pbi/diagnostics.hpp>

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
    if (d.retry_after)
        os << "retry after: " << d.retry_after->count() << " s\n";
    return os;
}

} // namespace pbi
