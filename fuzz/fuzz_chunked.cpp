// pbi-async — libFuzzer target: chunked transfer decoding as a round-trip property (fuzz/run
// builds it). The input is read as a plan: the first byte picks the options (upper- or
// lower-case hex, leading zeros, chunk extensions, a trailer, how the wire is split into
// reads); the next bytes give the chunk sizes; the rest is the body. The body is encoded
// with that plan and parsed back: the parser must return exactly the body, whatever the
// chunk boundaries and read boundaries. Malformed framing is fuzz_http_response's job.
#include <pbi/http/response_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

struct plan {
    bool upper_hex = false;
    bool leading_zeros = false;
    bool extensions = false;
    bool trailer = false;
    std::size_t read_size = 1; // bytes handed to each put()
    std::vector<std::size_t> chunk_sizes;
};

std::string hex(std::size_t n, const plan& p) {
    const char* digits = p.upper_hex ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[n % 16]);
        n /= 16;
    } while (n != 0);
    return p.leading_zeros ? "00" + out : out;
}

std::string encode(std::string_view body, const plan& p) {
    std::string wire =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::size_t at = 0, next_size = 0;
    while (at < body.size()) {
        std::size_t n =
            p.chunk_sizes.empty() ? body.size() : p.chunk_sizes[next_size++ % p.chunk_sizes.size()];
        if (n == 0 || n > body.size() - at)
            n = body.size() - at; // a zero-size chunk would end the body early
        wire += hex(n, p);
        if (p.extensions)
            wire += ";name=\"value\"";
        wire += "\r\n";
        wire.append(body.substr(at, n));
        wire += "\r\n";
        at += n;
    }
    wire += p.leading_zeros ? "000" : "0";
    if (p.extensions)
        wire += ";last";
    wire += "\r\n";
    if (p.trailer)
        wire += "X-Trailer: done\r\n";
    wire += "\r\n";
    return wire;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    plan p;
    const std::uint8_t options = data[0];
    p.upper_hex = options & 0x01;
    p.leading_zeros = options & 0x02;
    p.extensions = options & 0x04;
    p.trailer = options & 0x08;
    p.read_size = 1 + (options >> 4) * 37; // 1 .. 556 bytes a read
    const std::size_t size_count = data[1] % 8;
    std::size_t at = 2;
    for (std::size_t i = 0; i < size_count && at < size; ++i, ++at)
        p.chunk_sizes.push_back(data[at]);
    const std::string_view body(reinterpret_cast<const char*>(data + at), size - at);

    const std::string wire = encode(body, p);
    pbi::http::parser_limits limits;
    limits.max_body_bytes = 1 << 20;
    pbi::http::response_parser parser(limits);
    std::error_code ec;
    std::size_t fed = 0;
    while (fed < wire.size() && !parser.done()) {
        const std::string_view piece = std::string_view(wire).substr(fed, p.read_size);
        const std::size_t used = parser.put(piece, ec);
        if (ec)
            std::abort(); // a well-formed chunked message was refused
        if (!parser.done() && used != piece.size())
            std::abort(); // an unfinished parser consumes everything it is given
        fed += used;
    }
    if (!parser.done() || parser.get().body != body || parser.get().status != 200)
        std::abort(); // the body did not survive the round trip
    return 0;
}
