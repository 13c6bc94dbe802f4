#include <pbi/secret.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <type_traits>

TEST_CASE("secret prints as asterisks, never its value") {
    pbi::secret s{std::string("hunter2")};
    std::ostringstream os;
    os << s;
    CHECK(os.str() == "********");
    CHECK(std::string(s.masked()) == "********");
    CHECK(os.str().find("hunter2") == std::string::npos);
}

TEST_CASE("an empty secret prints as (empty)") {
    pbi::secret s;
    std::ostringstream os;
    os << s;
    CHECK(os.str() == "(empty)");
    CHECK(s.empty());
    CHECK(s.size() == 0);
}

TEST_CASE("secret reveals its value only through reveal()") {
    pbi::secret s{std::string("p&ss+w%rd =x")};
    CHECK(s.reveal() == "p&ss+w%rd =x");
    CHECK(s.size() == 12);
    CHECK_FALSE(s.empty());
    STATIC_REQUIRE_FALSE(std::is_convertible_v<pbi::secret, std::string>);
    STATIC_REQUIRE_FALSE(std::is_convertible_v<std::string, pbi::secret>);
}

TEST_CASE("secrets compare by value") {
    pbi::secret a{std::string("abc")}, b{std::string("abc")}, c{std::string("abd")}, d{std::string("ab")};
    CHECK(a == b);
    CHECK_FALSE(a == c);
    CHECK_FALSE(a == d);
    CHECK(a != c);
    CHECK(pbi::secret{} == pbi::secret{});
}

TEST_CASE("secret copies and moves keep the value and leave the source empty after a move") {
    pbi::secret a{std::string("a-long-secret-value-beyond-the-small-string-buffer")};
    pbi::secret b = a;
    CHECK(b == a);
    pbi::secret c = std::move(a);
    CHECK(c == b);
    CHECK(a.empty()); // NOLINT(bugprone-use-after-move): documented state
    pbi::secret d{std::string("short")};
    pbi::secret e;
    e = std::move(d);
    CHECK(e.reveal() == "short");
    CHECK(d.empty()); // NOLINT(bugprone-use-after-move)
    e = b;
    CHECK(e == b);
    e.clear();
    CHECK(e.empty());
}
