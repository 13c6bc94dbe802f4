// pbi-async — ready-made emulator faults: Entra ID and Power BI error answers exactly as the
// services send them (WIRE.md), for scripting each sign-in and API failure in tests.
#pragma once

#include <pbi/detail/guid.hpp>
#include <pbi/testing/detail/emulator_types.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pbi::testing {

/// Options of entra_error_fault beyond the code and the `error` string.
struct entra_error_options {
    std::string suberror{};        ///< e.g. "basic_action" (omitted when empty)
    int status = 0;                ///< 0: 401 for invalid_client, else 400
    std::string retry_after{};     ///< a Retry-After header value (omitted when empty)
    std::string message{"Error."}; ///< the text after "AADSTS<code>: " in error_description
};

/// A token-endpoint (or discovery) error answer for AADSTS `code`: the JSON body
/// `{"error", "error_description": "AADSTS<code>: ...\r\nTrace ID: ...\r\nCorrelation ID: ...",
/// "error_codes": [code], "timestamp", "trace_id", "correlation_id", "error_uri"}` (plus
/// `suberror`), with fresh trace and correlation ids and Entra's x-ms-request-id header.
inline fault entra_error_fault(std::int64_t code, std::string_view error, const entra_error_options& o) {
    const std::string trace = pbi::detail::make_guid_v4(), correlation = pbi::detail::make_guid_v4();
    const std::string ts = "2024-05-01 10:00:00Z";
    boost::json::object body{
        {"error", error},
        {"error_description", "AADSTS" + std::to_string(code) + ": " + o.message + "\r\nTrace ID: " + trace +
                                  "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: " + ts},
        {"error_codes", boost::json::array{code}},
        {"timestamp", ts},
        {"trace_id", trace},
        {"correlation_id", correlation},
        {"error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(code)}};
    if (!o.suberror.empty())
        body["suberror"] = o.suberror;
    fault f;
    f.status = o.status != 0 ? o.status : (error == "invalid_client" ? 401 : 400);
    f.headers = {{"Content-Type", "application/json; charset=utf-8"}, {"x-ms-request-id", trace}};
    if (!o.retry_after.empty())
        f.headers.emplace_back("Retry-After", o.retry_after);
    f.body = boost::json::serialize(body);
    return f;
}

inline fault entra_error_fault(std::int64_t code, std::string_view error) {
    const entra_error_options defaults;
    return entra_error_fault(code, error, defaults);
}

/// A Power BI error answer `{"error":{"code":<code>,"message":<message>}}` with a RequestId
/// and, when `code` is not empty, the X-PowerBI-Error-Info header. For the `pbi.error` shape
/// (`{"error":{"code":<code>,"pbi.error":{"code":<inner>,...}}}`) pass `inner_code`.
inline fault powerbi_error_fault(int status, std::string_view code, std::string_view inner_code = {},
                                 std::string_view message = {}) {
    boost::json::object error{{"code", code}};
    if (!message.empty())
        error["message"] = message;
    if (!inner_code.empty())
        error["pbi.error"] = boost::json::object{
            {"code", inner_code}, {"parameters", boost::json::object{}}, {"details", boost::json::array{}}};
    fault f;
    f.status = status;
    f.headers = {{"Content-Type", "application/json; charset=utf-8"},
                 {"RequestId", pbi::detail::make_guid_v4()}};
    if (!code.empty())
        f.headers.emplace_back("X-PowerBI-Error-Info", std::string(inner_code.empty() ? code : inner_code));
    f.body = boost::json::serialize(boost::json::object{{"error", std::move(error)}});
    return f;
}

} // namespace pbi::testing
