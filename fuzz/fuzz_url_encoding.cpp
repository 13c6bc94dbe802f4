// pbi-async — libFuzzer target: URL parsing (http/url.hpp) and the form / percent encoding
// round trips (http/encoding.hpp). Aborts when a property is violated:
//   form_decode(form_encode(fields)) == fields, percent_decode(encode_path_segment(x)) == x,
//   percent_decode(encode_query_value(x)) == x, and a parsed URL's origin parses back to itself.
#include <pbi/http/encoding.hpp>
#include <pbi/http/url.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    using namespace pbi::http;

    std::error_code ec;
    const url parsed = url::parse(text, ec);
    if (!ec) {
        std::error_code ec2;
        const url again = url::parse(parsed.origin() + parsed.target, ec2);
        if (ec2 || again.scheme != parsed.scheme || again.host != parsed.host || again.port != parsed.port)
            std::abort();
        (void)parsed.host_header();
    }

    const auto segment = percent_decode(encode_path_segment(text));
    if (!segment || *segment != text)
        std::abort();
    const auto query = percent_decode(encode_query_value(text));
    if (!query || *query != text)
        std::abort();

    // Fields: the input split at NUL bytes, taken pairwise as name and value.
    std::vector<std::pair<std::string, std::string>> fields;
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\0') {
            parts.emplace_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    for (std::size_t i = 0; i + 1 < parts.size(); i += 2)
        fields.emplace_back(parts[i], parts[i + 1]);
    const auto decoded = form_decode(form_encode(fields));
    if (!decoded || *decoded != fields)
        std::abort();
    (void)percent_decode(text, true);
    (void)form_decode(text);
    return 0;
}
