// README.md's "When sign-in fails" tables are checked against the tables the code uses, so the
// two cannot drift. Set PBI_PRINT_README_TABLES=1 to print the expected rows.
#include <pbi/entra/token_codec.hpp>
#include <pbi/powerbi/error_parser.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string readme_section() {
#if defined(PBI_README_PATH)
    std::ifstream in(PBI_README_PATH);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    const auto begin = all.find("\n## When sign-in fails");
    if (begin == std::string::npos)
        return {};
    const auto end = all.find("\n## ", begin + 1);
    return all.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
#else
    return {};
#endif
}

std::vector<std::string> aadsts_rows() {
    std::vector<std::string> rows;
    for (const auto& c : pbi::entra::aadsts_causes())
        rows.push_back("| " + std::to_string(c.code) + " | `" + pbi::to_string(c.error) + "` | " + c.hint +
                       " |");
    return rows;
}

struct powerbi_row {
    const char* status;
    const char* codes; // as README shows them
    int sample_status;
    const char* sample_code; // what the parser is given ("" for no code)
};

// WIRE.md §2's error table.
const powerbi_row powerbi_rows[] = {
    {"400", "`InvalidRequest`, `BadRequest`", 400, "InvalidRequest"},
    {"401", "`PowerBINotAuthorizedException`", 401, "PowerBINotAuthorizedException"},
    {"401", "`ServicePrincipalIsNotAllowedByTenantAdminSwitch`", 401,
     "ServicePrincipalIsNotAllowedByTenantAdminSwitch"},
    {"401, 403", "`GroupNotAccessible`", 403, "GroupNotAccessible"},
    {"403", "`TokenExpired`, `InvalidToken` (renewed and retried once)", 403, "TokenExpired"},
    {"403", "a code naming a quota (embed tokens)", 403, "EmbedTokenQuotaExceeded"},
    {"404", "`PowerBIEntityNotFound`", 404, "PowerBIEntityNotFound"},
    {"429", "any (`Retry-After` kept)", 429, ""},
    {"5xx", "any", 503, ""},
    {"other 4xx", "any (the raw code is kept)", 409, "SomethingElse"},
};

std::vector<std::string> powerbi_table_rows() {
    std::vector<std::string> rows;
    for (const auto& r : powerbi_rows) {
        pbi::diagnostics d;
        std::string body =
            *r.sample_code ? std::string(R"({"error":{"code":")") + r.sample_code + "\"}}" : "";
        pbi::http::fields h;
        h.add("Content-Type", "application/json");
        auto ec = pbi::powerbi::parse_powerbi_error(r.sample_status, h, body, d);
        rows.push_back(std::string("| ") + r.status + " | " + r.codes + " | `" +
                       pbi::to_string(static_cast<pbi::errc>(ec.value())) + "` | " + d.hint + " |");
    }
    return rows;
}

} // namespace

TEST_CASE("README's sign-in failure tables match the code's tables") {
    if (std::getenv("PBI_PRINT_README_TABLES")) {
        for (const auto& row : aadsts_rows())
            std::cout << row << '\n';
        std::cout << '\n';
        for (const auto& row : powerbi_table_rows())
            std::cout << row << '\n';
    }
    const auto section = readme_section();
#if defined(PBI_README_PATH)
    REQUIRE_FALSE(section.empty());
#else
    if (section.empty()) {
        SUCCEED("built without the source tree's README path");
        return;
    }
#endif
    for (const auto& row : aadsts_rows()) {
        INFO("expected README row: " << row);
        CHECK(section.find(row) != std::string::npos);
    }
    for (const auto& row : powerbi_table_rows()) {
        INFO("expected README row: " << row);
        CHECK(section.find(row) != std::string::npos);
    }
    CHECK(section.find("federated_account") != std::string::npos);
    CHECK(section.find("pbi diagnose") != std::string::npos);
}
