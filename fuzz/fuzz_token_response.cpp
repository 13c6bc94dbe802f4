// pbi-async — libFuzzer target: the token-endpoint answer parser (entra/token_codec.hpp).
// The first byte picks the HTTP status and a header variant; the rest is the body. Whatever
// the answer, parse_token_response returns an error code or a usable token, and never crashes.
#include <pbi/entra/token_codec.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    static constexpr std::array<int, 16> statuses = {200, 200, 200, 200, 400, 400, 401, 403,
                                                     429, 500, 502, 503, 504, 100, 302, 204};
    const std::uint8_t control = data[0];
    const int status = statuses[control & 0x0f];
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

    pbi::http::fields headers;
    switch ((control >> 4) & 0x3) {
    case 0:
        headers.add("Content-Type", "application/json; charset=utf-8");
        break;
    case 1:
        headers.add("Content-Type", "application/json");
        headers.add("Retry-After", "120");
        headers.add("Date", "Wed, 01 May 2024 10:00:00 GMT");
        break;
    case 2:
        headers.add("Content-Type", "text/html");
        headers.add("Retry-After", "Wed, 01 May 2024 10:02:00 GMT");
        headers.add("Date", "Wed, 01 May 2024 10:00:00 GMT");
        headers.add("x-ms-request-id", "0000-1111");
        break;
    default:
        headers.add("Retry-After", "soon");
        headers.add("client-request-id", "abcd");
        break;
    }

    pbi::entra::access_token token;
    pbi::diagnostics diag;
    const auto received = std::chrono::steady_clock::time_point{} + std::chrono::hours(1000);
    const std::error_code ec = pbi::entra::parse_token_response(status, headers, body, received, token, diag);
    if (!ec && (status < 200 || status > 299))
        std::abort(); // only a 2xx answer can carry a token
    return 0;
}
