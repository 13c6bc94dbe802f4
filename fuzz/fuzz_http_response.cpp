// pbi-async — libFuzzer target: the sans-io HTTP/1.1 response parser (fuzz/run builds it).
// The first byte chooses where the rest of the input is split between two put() calls and
// whether the input is read as a whole response or as a body after a fixed chunked header
// block; put_eof() always follows. Nothing may crash, and a finished parse stays consistent.
#include <pbi/http/response_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

namespace {

void feed(std::string_view bytes, std::size_t split, bool head) {
    pbi::http::parser_limits limits;
    limits.max_header_bytes = 4096;
    limits.max_body_bytes = 64 * 1024;
    pbi::http::response_parser parser(limits);
    if (head)
        parser.skip_body();
    std::error_code ec;
    if (split > bytes.size())
        split = bytes.size();
    std::size_t used = parser.put(bytes.substr(0, split), ec);
    if (!ec && !parser.done() && used != split)
        std::abort(); // an unfinished parser consumes everything it is given
    if (!ec && !parser.done())
        parser.put(bytes.substr(split), ec);
    if (!ec)
        parser.put_eof(ec);
    if (!ec && !parser.done())
        std::abort(); // put_eof() either completes the message or reports an error
    if (!ec && parser.get().body.size() > limits.max_body_bytes)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::uint8_t control = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t split = rest.empty() ? 0 : (control * 131u) % (rest.size() + 1);
    if (control & 0x80) {
        // Chunked-only framing: the fuzzer writes the body after a fixed header block.
        std::string message = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n";
        const std::size_t prefix = message.size();
        message.append(rest);
        feed(message, prefix + split, false);
    } else {
        feed(rest, split, (control & 0x40) != 0);
    }
    return 0;
}
