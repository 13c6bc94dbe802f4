// Specification of pbi::http::response_parser.
#include <pbi/error.hpp>
#include <pbi/http/response_parser.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using pbi::errc;
using pbi::http::parser_limits;
using pbi::http::response;
using pbi::http::response_parser;

namespace {

struct outcome {
    std::error_code ec;
    bool done = false;
    std::size_t consumed = 0;
    response res;
};

struct options {
    parser_limits limits{};
    bool eof = false; ///< call put_eof() after the last byte
    bool skip_body = false;
};

// Feeds `msg` in pieces ending at `cuts` (ascending offsets), then the rest, stopping at done()
// or an error like a client would.
outcome feed(std::string_view msg, const std::vector<std::size_t>& cuts, const options& opt = {}) {
    response_parser p(opt.limits);
    if (opt.skip_body)
        p.skip_body();
    outcome out;
    std::size_t start = 0;
    auto put = [&](std::size_t end) {
        if (out.ec || p.done() || end <= start)
            return;
        const auto n = p.put(msg.substr(start, end - start), out.ec);
        out.consumed += n;
        if (!out.ec && !p.done())
            REQUIRE(n == end - start); // an unfinished parser takes every byte
        start += n;
        if (p.done() || out.ec)
            start = msg.size(); // the rest is not this response's
    };
    for (auto c : cuts)
        put(c);
    put(msg.size());
    if (opt.eof && !out.ec && !p.done())
        p.put_eof(out.ec);
    out.done = p.done();
    out.res = p.release();
    return out;
}

outcome parse(std::string_view msg, const options& opt = {}) {
    return feed(msg, {}, opt);
}

std::vector<std::pair<std::string, std::string>> header_list(const response& r) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : r.headers)
        out.emplace_back(f.name, f.value);
    return out;
}

void require_same(const outcome& a, const outcome& b) {
    REQUIRE(a.ec == b.ec);
    REQUIRE(a.done == b.done);
    if (a.ec)
        return; // how much was consumed before an error depends on the split
    REQUIRE(a.consumed == b.consumed);
    REQUIRE(a.res.status == b.res.status);
    REQUIRE(a.res.reason == b.res.reason);
    REQUIRE(a.res.version_minor == b.res.version_minor);
    REQUIRE(header_list(a.res) == header_list(b.res));
    REQUIRE(a.res.body == b.res.body);
}

std::string big_chunked_sample() {
    std::string body_part;
    std::string msg = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n";
    for (int i = 1; i <= 40; ++i) {
        std::string data(static_cast<std::size_t>(i * 2), static_cast<char>('a' + i % 26));
        char size[16];
        std::snprintf(size, sizeof size, "%X", static_cast<unsigned>(data.size()));
        msg += size;
        if (i % 7 == 0)
            msg += ";ext=\"quoted; value\"";
        msg += "\r\n" + data + "\r\n";
    }
    msg += "0\r\nServer-Timing: total;dur=12\r\n\r\n";
    return msg;
}

struct sample {
    const char* name;
    std::string bytes;
    options opt;
};

std::vector<sample> valid_samples() {
    options eof;
    eof.eof = true;
    options head;
    head.skip_body = true;
    return {
        {"content-length",
         "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":\"hello\"}",
         {}},
        {"content-length then next response",
         "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500 Internal\r\nContent-Length: 0\r\n\r\n",
         {}},
        {"chunked with extensions and trailers",
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n7 ; foo ; "
         "bar=\"x\"\r\n, "
         "world\r\n0;last\r\nX-Trailer: yes\r\nX-Other:  two \r\n\r\n",
         {}},
        {"many chunks", big_chunked_sample(), {}},
        {"eof-delimited", "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nthe body ends with the connection", eof},
        {"interim responses",
         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
         "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
         {}},
        {"204", "HTTP/1.1 204 No Content\r\nRequestId: 42\r\n\r\n", {}},
        {"304 with length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n", {}},
        {"head", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", head},
        {"duplicates",
         "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nCache-Control: no-cache\r\nset-cookie: b=2\r\n"
         "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
         {}},
        {"empty reason", "HTTP/1.1 404 \r\ncontent-length:0\r\n\r\n", {}},
        {"no reason", "HTTP/1.1 503\r\nRetry-After: 10\r\nContent-Length: 4\r\n\r\nbusy", {}},
        {"te wins over cl",
         "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
         {}},
        {"binary body",
         "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n" + std::string("\0\r\n\xff\n\r", 6),
         {}},
    };
}

} // namespace

TEST_CASE("every valid sample parses the same however its bytes are split") {
    for (const auto& s : valid_samples()) {
        INFO("sample: " << s.name);
        REQUIRE(s.bytes.size() <= 4096);
        const auto whole = parse(s.bytes, s.opt);
        REQUIRE_FALSE(whole.ec);
        REQUIRE(whole.done);
        for (std::size_t cut = 0; cut <= s.bytes.size(); ++cut) {
            INFO("split at " << cut);
            require_same(feed(s.bytes, {cut}, s.opt), whole);
        }
        std::vector<std::size_t> every;
        for (std::size_t i = 1; i < s.bytes.size(); ++i)
            every.push_back(i);
        require_same(feed(s.bytes, every, s.opt), whole);
    }
}

TEST_CASE("mutated samples fail or succeed the same way however they are split") {
    std::mt19937 rng(9112);
    const auto samples = valid_samples();
    const std::string alphabet = "\r\n :;,0123456789abcdefABCDEF\t\x01\x80HTtpP/.-";
    for (int round = 0; round < 400; ++round) {
        const auto& s = samples[rng() % samples.size()];
        std::string msg = s.bytes;
        for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
            // Mostly past the status line, so that more edits reach headers, chunks and bodies.
            const auto at =
                msg.size() > 20 && rng() % 4 != 0 ? 17 + rng() % (msg.size() - 17) : rng() % msg.size();
            switch (rng() % 3) {
            case 0:
                msg[at] = alphabet[rng() % alphabet.size()];
                break;
            case 1:
                msg.erase(at, 1 + rng() % 4);
                break;
            default:
                msg.insert(at, 1, alphabet[rng() % alphabet.size()]);
                break;
            }
            if (msg.empty())
                msg = "H";
        }
        options opt = s.opt;
        opt.limits.max_header_bytes = 64 + rng() % 200;
        opt.limits.max_body_bytes = rng() % 3000;
        INFO("round " << round << ": " << msg);
        const auto whole = parse(msg, opt);
        std::vector<std::size_t> every;
        for (std::size_t i = 1; i < msg.size(); ++i)
            every.push_back(i);
        require_same(feed(msg, every, opt), whole);
        for (int k = 0; k < 4; ++k) {
            std::vector<std::size_t> cuts;
            for (std::size_t c = rng() % 16; c < msg.size(); c += 1 + rng() % 64)
                cuts.push_back(c);
            require_same(feed(msg, cuts, opt), whole);
        }
    }
}

TEST_CASE("a Content-Length body is read exactly and the rest is left unconsumed") {
    const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const auto r = parse(first + "HTTP/1.1 200 OK\r\n");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.done);
    REQUIRE(r.consumed == first.size());
    REQUIRE(r.res.status == 200);
    REQUIRE(r.res.reason == "OK");
    REQUIRE(r.res.body == "ok");
    REQUIRE(r.res.keep_alive());
}

TEST_CASE("a done parser consumes nothing more") {
    response_parser p;
    std::error_code ec;
    const std::string msg = "HTTP/1.1 204 No Content\r\n\r\n";
    REQUIRE(p.put(msg, ec) == msg.size());
    REQUIRE(p.done());
    REQUIRE(p.put("HTTP/1.1 200 OK\r\n", ec) == 0);
    REQUIRE_FALSE(ec);
    p.put_eof(ec);
    REQUIRE_FALSE(ec);
}

TEST_CASE("a zero Content-Length completes with the header block") {
    response_parser p;
    std::error_code ec;
    p.put("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.done());
    REQUIRE(p.get().body.empty());
}

TEST_CASE("a chunked body with extensions and trailers decodes to its data") {
    const auto r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5;name=value\r\nhello\r\n7 ; foo\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.done);
    REQUIRE(r.res.body == "hello, world");
    // Trailers are validated, then discarded: they never join the header section.
    REQUIRE_FALSE(r.res.headers.contains("X-Trailer"));
    REQUIRE(r.res.headers.size() == 1);
}

TEST_CASE("chunk sizes are hexadecimal in either case, with leading zeros") {
    const auto r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "0000a\r\n0123456789\r\nA\r\nabcdefghij\r\n00\r\n\r\n");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.res.body == "0123456789abcdefghij");
}

TEST_CASE("a body without length or chunking ends at EOF") {
    response_parser p;
    std::error_code ec;
    p.put("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>", ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.header_done());
    REQUIRE(p.body_ends_at_eof());
    REQUIRE_FALSE(p.done());
    p.put("</html>", ec);
    p.put_eof(ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.done());
    REQUIRE(p.get().body == "<html></html>");
    REQUIRE_FALSE(p.get().keep_alive()); // the connection is gone with the body
}

TEST_CASE("Connection: close and HTTP/1.0 decide keep-alive") {
    auto ka = [](std::string_view msg) {
        auto r = parse(msg);
        REQUIRE_FALSE(r.ec);
        return r.res.keep_alive();
    };
    CHECK(ka("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    CHECK_FALSE(ka("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
    CHECK_FALSE(ka("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n"));
    CHECK_FALSE(
        ka("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
    CHECK_FALSE(ka("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
    CHECK(ka("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"));
    CHECK(ka("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    CHECK(ka("HTTP/1.1 204 No Content\r\n\r\n"));
    // Both framing headers: parsed (chunked wins) but the connection is not trusted again.
    CHECK_FALSE(ka("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
}

TEST_CASE("duplicate headers are kept in order and fold into one list") {
    const auto r = parse("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nVary: Accept\r\nset-cookie: b=2\r\n"
                         "X-Empty:\r\nX-Spaces: \t padded value \t\r\nContent-Length: 0\r\n\r\n");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.res.headers.size() == 6);
    REQUIRE(r.res.headers.combined("SET-COOKIE") == "a=1, b=2");
    REQUIRE(r.res.headers.get("set-cookie") == "a=1");
    REQUIRE(r.res.headers.get("x-empty") == "");
    REQUIRE(r.res.headers.get("X-Spaces") == "padded value");
}

TEST_CASE("100 Continue is skipped and the final response follows in the same stream") {
    response_parser p;
    std::error_code ec;
    p.put("HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n", ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(p.header_done());
    p.put("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal", ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.done());
    REQUIRE(p.get().status == 200);
    REQUIRE(p.get().body == "final");
    REQUIRE_FALSE(p.get().headers.contains("X-Interim"));
}

TEST_CASE("each interim header block gets its own header budget") {
    options opt;
    opt.limits.max_header_bytes = 40;
    const auto r = parse("HTTP/1.1 100 Continue\r\nA: 0123456789\r\n\r\n" // 40 bytes
                         "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
                         opt);
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.res.body == "x");
}

TEST_CASE("101 Switching Protocols is final and has no body") {
    const auto r = parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.done);
    REQUIRE(r.res.status == 101);
    REQUIRE(r.res.body.empty());
}

TEST_CASE("204 and 304 have no body even with framing headers, and neither does skip_body") {
    auto r = parse("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n0123456789");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.done);
    REQUIRE(r.res.body.empty());
    r = parse("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.done);
    options head;
    head.skip_body = true;
    head.limits.max_body_bytes = 10;
    r = parse("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n", head);
    REQUIRE_FALSE(r.ec); // a HEAD answer's length is not a body to hold
    REQUIRE(r.done);
}

TEST_CASE("a header block over the limit fails as soon as the limit is passed") {
    const std::string block = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"; // 38 bytes
    options opt;
    opt.limits.max_header_bytes = block.size();
    REQUIRE_FALSE(parse(block, opt).ec);
    opt.limits.max_header_bytes = block.size() - 1;
    REQUIRE(parse(block, opt).ec == errc::header_limit_exceeded);

    // Endless header bytes without a line end: the error comes once the line cannot end within 32 bytes.
    response_parser p(parser_limits{32, 1024});
    std::error_code ec;
    const std::string flood = "HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a');
    for (std::size_t i = 0; i < flood.size(); ++i) {
        p.put(flood.substr(i, 1), ec);
        if (ec) {
            REQUIRE(ec == errc::header_limit_exceeded);
            REQUIRE(i == 31); // byte 32 arrived and the line still needs its LF
            break;
        }
    }
    REQUIRE(ec);
    REQUIRE(parse("HTTP/1.1 200 OK" + std::string(40, 'x'), opt).ec == errc::header_limit_exceeded);
}

TEST_CASE("a trailer section over the header limit is header_limit_exceeded") {
    options opt;
    opt.limits.max_header_bytes = 64;
    const auto r =
        parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + std::string(80, 'a'), opt);
    REQUIRE(r.ec == errc::header_limit_exceeded);
}

TEST_CASE("a Content-Length over the body limit fails before any body byte arrives") {
    options opt;
    opt.limits.max_body_bytes = 4;
    REQUIRE(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", opt).ec == errc::body_limit_exceeded);
    REQUIRE_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", opt).ec);
}

TEST_CASE("chunks over the body limit fail when the chunk is announced") {
    options opt;
    opt.limits.max_body_bytes = 4;
    REQUIRE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\n", opt).ec ==
            errc::body_limit_exceeded);
    REQUIRE_FALSE(
        parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n", opt)
            .ec);
    // A 16-digit size fits 64 bits but not the limit.
    REQUIRE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", opt).ec ==
            errc::body_limit_exceeded);
}

TEST_CASE("an EOF-delimited body over the limit fails on arrival") {
    options opt;
    opt.limits.max_body_bytes = 4;
    opt.eof = true;
    REQUIRE(parse("HTTP/1.0 200 OK\r\n\r\nabcde", opt).ec == errc::body_limit_exceeded);
    REQUIRE_FALSE(parse("HTTP/1.0 200 OK\r\n\r\nabcd", opt).ec);
}

TEST_CASE("a malformed chunk size is bad_chunk") {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK(parse(head + "zz\r\n").ec == errc::bad_chunk);
    CHECK(parse(head + "\r\n").ec == errc::bad_chunk);
    CHECK(parse(head + "-1\r\n").ec == errc::bad_chunk);
    CHECK(parse(head + "0x5\r\n").ec == errc::bad_chunk);
    CHECK(parse(head + "5 x\r\n").ec == errc::bad_chunk);
    CHECK(parse(head + "5\n").ec == errc::bad_chunk);
    CHECK(parse(head + "5;a=\x01\r\n").ec == errc::bad_chunk);
    CHECK(parse(head + "5;" + std::string(5000, 'e')).ec == errc::bad_chunk);
}

TEST_CASE("a chunk size that overflows 64 bits is bad_chunk") {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK(parse(head + "10000000000000000\r\n").ec == errc::bad_chunk);
    CHECK(parse(head + "fffffffffffffffffffffffffffff\r\n").ec == errc::bad_chunk);
}

TEST_CASE("chunk data not followed by CRLF is bad_chunk") {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK(parse(head + "3\r\nabcX").ec == errc::bad_chunk);
    CHECK(parse(head + "3\r\nabc\rX").ec == errc::bad_chunk);
    CHECK(parse(head + "3\r\nabc\n").ec == errc::bad_chunk);
}

TEST_CASE("a stream cut mid-chunk is partial_message") {
    options opt;
    opt.eof = true;
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK(parse(head + "5\r\nab", opt).ec == errc::partial_message);
    CHECK(parse(head + "5\r\nabcde\r\n", opt).ec == errc::partial_message);
    CHECK(parse(head + "5\r\nabcde\r\n0\r\n", opt).ec == errc::partial_message); // trailer end missing
}

TEST_CASE("a stream shorter than its Content-Length is partial_message") {
    options opt;
    opt.eof = true;
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", opt).ec == errc::partial_message);
}

TEST_CASE("a stream cut in the header block is partial_message") {
    options opt;
    opt.eof = true;
    CHECK(parse("", opt).ec == errc::partial_message);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Le", opt).ec == errc::partial_message);
    CHECK(parse("HTTP/1.1 100 Continue\r\n\r\n", opt).ec == errc::partial_message);
}

TEST_CASE("a malformed status line is bad_status_line") {
    for (std::string_view line :
         {"HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "ICY 200 OK", "HTTP/1.1 200OK",
          "http/1.1 200 OK", "HTTP/1.1  200 OK", "HTTP/1.1 099 Low", "HTTP/1.x 200 OK", "HTTP/1.1 2x0 OK",
          "HTTP/1.1 200 O\x01K", "", " HTTP/1.1 200 OK"}) {
        INFO(line);
        CHECK(parse(std::string(line) + "\r\nContent-Length: 0\r\n\r\n").ec == errc::bad_status_line);
    }
    CHECK(parse("HTTP/1.1 200 OK\nContent-Length: 0\n\n").ec == errc::bad_status_line); // bare LF
}

TEST_CASE("a malformed header line is bad_header") {
    for (std::string_view line : {"No-Colon-Here", "Bad Name: x", "Name : x", ": empty-name", "X-Ctl: a\x01z",
                                  "X-Cr: a\rb", "Bad\"Name: x"}) {
        INFO(line);
        CHECK(parse("HTTP/1.1 200 OK\r\n" + std::string(line) + "\r\nContent-Length: 0\r\n\r\n").ec ==
              errc::bad_header);
    }
    CHECK(parse("HTTP/1.1 200 OK\r\nX-Nul: a" + std::string(1, '\0') + "b\r\n\r\n").ec == errc::bad_header);
    CHECK(parse("HTTP/1.1 200 OK\r\nX: 1\nContent-Length: 0\r\n\r\n").ec == errc::bad_header); // bare LF
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n").ec ==
          errc::bad_header);
}

TEST_CASE("an obsolete folded header line is bad_header") {
    CHECK(parse("HTTP/1.1 200 OK\r\nX-Long: part one\r\n  part two\r\nContent-Length: 0\r\n\r\n").ec ==
          errc::bad_header);
    CHECK(parse("HTTP/1.1 200 OK\r\n\tX: y\r\n\r\n").ec == errc::bad_header);
}

TEST_CASE("Content-Length values that differ or are not digits are bad_content_length") {
    auto with = [](std::string_view headers) {
        return parse("HTTP/1.1 200 OK\r\n" + std::string(headers) + "\r\n\r\n").ec;
    };
    CHECK(with("Content-Length: 5\r\nContent-Length: 6") == errc::bad_content_length);
    CHECK(with("Content-Length: 5, 6") == errc::bad_content_length);
    CHECK(with("Content-Length: 12a") == errc::bad_content_length);
    CHECK(with("Content-Length: -1") == errc::bad_content_length);
    CHECK(with("Content-Length: +5") == errc::bad_content_length);
    CHECK(with("Content-Length: 0x10") == errc::bad_content_length);
    CHECK(with("Content-Length: 1 2") == errc::bad_content_length);
    CHECK(with("Content-Length:") == errc::bad_content_length);
    CHECK(with("Content-Length: 99999999999999999999999") == errc::bad_content_length);
    CHECK(with("Content-Length: 18446744073709551616") == errc::bad_content_length); // 2^64
}

TEST_CASE("equal duplicate Content-Length values are accepted") {
    const auto r = parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.res.body == "abc");
}

TEST_CASE("a transfer coding other than a single chunked is bad_transfer_encoding") {
    auto with = [](std::string_view te) {
        return parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + std::string(te) + "\r\n\r\n0\r\n\r\n").ec;
    };
    CHECK(with("gzip") == errc::bad_transfer_encoding);
    CHECK(with("chunked, gzip") == errc::bad_transfer_encoding);
    CHECK(with("gzip, chunked") == errc::bad_transfer_encoding);
    CHECK(with("chunked, chunked") == errc::bad_transfer_encoding);
    CHECK(with("identity") == errc::bad_transfer_encoding);
    CHECK(with("chunked;x=1") == errc::bad_transfer_encoding);
    CHECK(with("") == errc::bad_transfer_encoding);
    CHECK_FALSE(with("CHUNKED"));
    CHECK(
        parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .ec == errc::bad_transfer_encoding);
}

TEST_CASE("Transfer-Encoding wins over Content-Length") {
    const auto r = parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "3\r\nabc\r\n0\r\n\r\n");
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.res.body == "abc");
}

TEST_CASE("errors are sticky") {
    response_parser p;
    std::error_code ec;
    p.put("NOT HTTP\r\n", ec);
    REQUIRE(ec == errc::bad_status_line);
    REQUIRE(p.put("HTTP/1.1 200 OK\r\n\r\n", ec) == 0);
    REQUIRE(ec == errc::bad_status_line);
    p.put_eof(ec);
    REQUIRE(ec == errc::bad_status_line);
}

TEST_CASE("parser errors belong to the transport condition") {
    REQUIRE(std::error_code(errc::bad_chunk) == pbi::condition::transport);
    REQUIRE(std::error_code(errc::partial_message) == pbi::condition::retryable);
}
