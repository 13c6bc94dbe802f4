// Specification of pbi::http::fields.
#include <pbi/http/fields.hpp>

#include <catch2/catch.hpp>

using pbi::http::fields;
using pbi::http::iequals;

TEST_CASE("header names compare ignoring ASCII case only") {
    CHECK(iequals("Content-Length", "content-length"));
    CHECK(iequals("", ""));
    CHECK_FALSE(iequals("Content-Length", "Content-Lengt"));
    CHECK_FALSE(iequals("a", "b"));
    CHECK_FALSE(iequals("\xc3\x84", "\xc3\xa4")); // no Unicode folding
    CHECK_FALSE(iequals("[", "{"));               // '[' is not 'A' + 26 lowered
}

TEST_CASE("lookup is case-insensitive and finds the first field") {
    fields f;
    f.add("Content-Type", "application/json");
    f.add("X-Dup", "one");
    f.add("x-dup", "two");
    CHECK(f.get("content-type") == "application/json");
    CHECK(f.get("CONTENT-TYPE") == "application/json");
    CHECK(f.get("X-DUP") == "one");
    CHECK(f.contains("x-Dup"));
    CHECK_FALSE(f.get("Content-Length").has_value());
    CHECK_FALSE(f.contains("Content"));
}

TEST_CASE("duplicates are kept in arrival order and combine with a comma") {
    fields f;
    f.add("Vary", "Accept");
    f.add("Other", "x");
    f.add("vary", "Origin");
    f.add("VARY", "");
    CHECK(f.size() == 4);
    CHECK(f.combined("Vary") == "Accept, Origin, ");
    CHECK(f.combined("Other") == "x");
    CHECK_FALSE(f.combined("Missing").has_value());
    std::vector<std::string> names;
    for (const auto& field : f)
        names.push_back(field.name);
    CHECK(names == std::vector<std::string>{"Vary", "Other", "vary", "VARY"});
}

TEST_CASE("set replaces every field of the name with one, keeping the first position") {
    fields f;
    f.add("A", "1");
    f.add("B", "2");
    f.add("a", "3");
    f.set("A", "new");
    REQUIRE(f.size() == 2);
    CHECK(f.begin()->name == "A");
    CHECK(f.begin()->value == "new");
    CHECK(f.combined("a") == "new");
    f.set("C", "appended");
    REQUIRE(f.size() == 3);
    CHECK(std::prev(f.end())->name == "C");
}

TEST_CASE("erase removes every field of the name") {
    fields f;
    f.add("A", "1");
    f.add("B", "2");
    f.add("a", "3");
    f.erase("A");
    CHECK(f.size() == 1);
    CHECK_FALSE(f.contains("a"));
    f.erase("missing");
    CHECK(f.size() == 1);
    f.clear();
    CHECK(f.empty());
}
