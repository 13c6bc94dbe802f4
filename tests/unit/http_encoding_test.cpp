// Specification of percent- and form-encoding in pbi/http/encoding.hpp.
#include <pbi/http/encoding.hpp>

#include <catch2/catch.hpp>

#include <cctype>
#include <random>

using namespace pbi::http;

using form = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("a path segment keeps only unreserved characters") {
    CHECK(encode_path_segment("") == "");
    CHECK(encode_path_segment("AZaz09-._~") == "AZaz09-._~");
    CHECK(encode_path_segment("a b/c+d=e") == "a%20b%2Fc%2Bd%3De");
    CHECK(encode_path_segment(":/?#[]@!$&'()*+,;=%") ==
          "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25");
    CHECK(encode_path_segment("Zürich €") == "Z%C3%BCrich%20%E2%82%AC");
    CHECK(encode_path_segment(std::string("\0\x7f\xff", 3)) == "%00%7F%FF");
    // An export id looks like base64.
    CHECK(encode_path_segment("Mi9C+cz/ab==") == "Mi9C%2Bcz%2Fab%3D%3D");
    CHECK(encode_path_segment("user@contoso.com") == "user%40contoso.com");
}

TEST_CASE("a query value encodes every delimiter, space as %20") {
    CHECK(encode_query_value("name eq 'O''Brien'") == "name%20eq%20%27O%27%27Brien%27");
    CHECK(encode_query_value("a&b=c+d$e") == "a%26b%3Dc%2Bd%24e");
    CHECK(encode_query_value("Zürich €") == "Z%C3%BCrich%20%E2%82%AC");
    CHECK(encode_query_value("-._~") == "-._~");
}

TEST_CASE("a form value is byte-exact WHATWG urlencoded") {
    CHECK(form_encode({{"password", "p&ss+w%rd =x"}}) == "password=p%26ss%2Bw%25rd+%3Dx");
    CHECK(form_encode({{"city", "Zürich €"}}) == "city=Z%C3%BCrich+%E2%82%AC");
    CHECK(form_encode({{"k", "*-._~!'()"}}) == "k=*-._%7E%21%27%28%29");
    CHECK(form_encode({{"a b", "c d"}, {"e", ""}}) == "a+b=c+d&e=");
    CHECK(form_encode({}) == "");
    CHECK(form_encode({{"", ""}}) == "=");
    CHECK(form_encode({{"grant_type", "password"},
                       {"username", "user@contoso.com"},
                       {"scope", "https://analysis.windows.net/powerbi/api/.default offline_access"}}) ==
          "grant_type=password&username=user%40contoso.com"
          "&scope=https%3A%2F%2Fanalysis.windows.net%2Fpowerbi%2Fapi%2F.default+offline_access");
}

TEST_CASE("percent_decode reverses escapes and refuses malformed ones") {
    CHECK(percent_decode("%41%4a%4A") == "AJJ");
    CHECK(percent_decode("Z%C3%BCrich%20%E2%82%AC") == "Zürich €");
    CHECK(percent_decode("a+b") == "a+b");
    CHECK(percent_decode("a+b", true) == "a b");
    CHECK(percent_decode("%2B", true) == "+");
    CHECK(percent_decode("") == "");
    CHECK(percent_decode("%00") == std::string(1, '\0'));
    CHECK_FALSE(percent_decode("%").has_value());
    CHECK_FALSE(percent_decode("%4").has_value());
    CHECK_FALSE(percent_decode("abc%").has_value());
    CHECK_FALSE(percent_decode("%zz").has_value());
    CHECK_FALSE(percent_decode("%g0").has_value());
    CHECK_FALSE(percent_decode("%+1", true).has_value());
}

TEST_CASE("form_decode parses pairs, skips empty ones and refuses bad escapes") {
    CHECK(form_decode("") == form{});
    CHECK(form_decode("a=1&b=two+words&&c") == form{{"a", "1"}, {"b", "two words"}, {"c", ""}});
    CHECK(form_decode("=") == form{{"", ""}});
    CHECK(form_decode("k=a=b") == form{{"k", "a=b"}});
    CHECK(form_decode("password=p%26ss%2Bw%25rd+%3Dx") == form{{"password", "p&ss+w%rd =x"}});
    CHECK_FALSE(form_decode("a=%2").has_value());
    CHECK_FALSE(form_decode("a%zz=1").has_value());
}

TEST_CASE("form encoding round-trips arbitrary bytes") {
    std::mt19937 rng(20240501);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> len(0, 24);
    std::uniform_int_distribution<int> count(0, 6);
    auto random_string = [&] {
        std::string s(static_cast<std::size_t>(len(rng)), '\0');
        for (auto& c : s)
            c = static_cast<char>(byte(rng));
        return s;
    };
    for (int round = 0; round < 2000; ++round) {
        form f;
        for (int i = count(rng); i > 0; --i)
            f.emplace_back(random_string(), random_string());
        const auto encoded = form_encode(f);
        for (char c : encoded) {
            const auto u = static_cast<unsigned char>(c);
            REQUIRE((std::isalnum(u) || std::string_view("*-._+%&=").find(c) != std::string_view::npos));
        }
        const auto decoded = form_decode(encoded);
        REQUIRE(decoded.has_value());
        REQUIRE(*decoded == f);

        const auto s = random_string();
        const auto seg = encode_path_segment(s);
        REQUIRE(
            seg.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%") ==
            std::string::npos);
        REQUIRE(percent_decode(seg) == s);
        REQUIRE(percent_decode(encode_query_value(s), true) == s);
    }
}
