// README.md's "Signage recipe", compiled and run against the emulator; the README must show
// exactly the code between the recipe markers below.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace recipe {
// recipe:begin
/// A screen: a browser page with a report embedded by powerbi-client, reached through the
/// host's own channel (a WebSocket, a kiosk agent, ...).
struct screen {
    pbi::powerbi::report_ref report;
    std::function<void(std::string script)> run_in_page;
};

/// Keeps an embed token valid on every screen: each renewed token, minted min(10 min,
/// lifetime / 2) before the old one expires, is pushed to the page, which swaps it in without
/// a reload. Screens that show the same report share one token.
struct signage {
    pbi::powerbi::embed_token_cache cache;
    std::vector<pbi::powerbi::embed_token_subscription> subscriptions;

    signage(pbi::powerbi::client& powerbi, pbi::entra::token_source& tokens, std::vector<screen>& screens)
        : cache(powerbi, tokens) {
        pbi::powerbi::generate_token_request view; // accessLevel View
        view.lifetime_in_minutes = 30;             // at most half an Entra token's lifetime
        for (auto& s : screens) {
            auto request = pbi::powerbi::embed_request::report(s.report, view);
            subscriptions.push_back(cache.subscribe(request, [&s](auto token) {
                s.run_in_page("report.setAccessToken('" + token->token.reveal() + "');");
            }));
        }
    }
};
// recipe:end
} // namespace recipe

namespace seed = pbi::testing::seed;

TEST_CASE("the signage recipe pushes a token to every screen, one GenerateToken per report",
          "[embed_cache]") {
    pbi_test::stack s;
    std::vector<std::vector<std::string>> scripts(3);
    std::vector<recipe::screen> screens;
    const char* reports[] = {seed::welcome_board_report, seed::building_metrics_report,
                             seed::welcome_board_report};
    for (int i = 0; i < 3; ++i)
        screens.push_back({{seed::lobby_screens_workspace, reports[i]}, [&scripts, i](std::string script) {
                               scripts[i].push_back(std::move(script));
                           }});
    {
        recipe::signage host(s.powerbi, s.tokens, screens);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        auto all_shown = [&] {
            return !scripts[0].empty() && !scripts[1].empty() && !scripts[2].empty();
        };
        while (!all_shown() && std::chrono::steady_clock::now() < give_up) {
            if (s.io.stopped())
                s.io.restart();
            s.io.run_one_for(std::chrono::milliseconds(5));
        }
        REQUIRE(all_shown());
        for (auto& sc : scripts) {
            REQUIRE(sc.size() == 1);
            CHECK(sc[0].rfind("report.setAccessToken('", 0) == 0);
            CHECK(sc[0].size() > 100); // the token itself
        }
        CHECK(scripts[0] == scripts[2]); // the same report: the same token
        CHECK(scripts[0] != scripts[1]);
        CHECK(s.emu.request_count("generate_token") == 2);
        CHECK(host.cache.size() == 2);
    }
    s.io.stop();
}

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

} // namespace

TEST_CASE("README's signage recipe is the code this test compiles", "[embed_cache]") {
    const std::filesystem::path self = __FILE__;
    const auto source = read_file(self);
    const auto readme = read_file(self.parent_path().parent_path().parent_path() / "README.md");
    REQUIRE_FALSE(readme.empty());
    const std::string begin = "// recipe:begin\n", end = "// recipe:end\n";
    const auto from = source.find(begin);
    const auto to = source.find(end);
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    const auto code = source.substr(from + begin.size(), to - from - begin.size());
    CHECK(readme.find(code) != std::string::npos);
    // "Under 40 lines of user code": the recipe plus a main() of a few lines.
    CHECK(std::count(code.begin(), code.end(), '\n') <= 32);
}
