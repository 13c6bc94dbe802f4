// Dashboards, tiles and datasets against the emulator: listing them and minting their embed tokens.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

using pbi_test::as_tuple;
using pbi_test::stack;
namespace seed = pbi::testing::seed;

namespace {

struct dashboard_listing {
    std::vector<pbi::powerbi::dashboard> dashboards;
    std::vector<pbi::powerbi::tile> tiles;
    pbi::powerbi::embed_token dashboard_token, tile_token;
};

asio::awaitable<dashboard_listing> dashboard_job(pbi::powerbi::client& pc) {
    dashboard_listing l;
    l.dashboards = co_await pc.async_list_dashboards(std::string(seed::lobby_screens_workspace));
    pbi::powerbi::dashboard_ref ref{seed::lobby_screens_workspace, l.dashboards.at(0).id};
    l.tiles = co_await pc.async_list_tiles(ref);
    pbi::powerbi::generate_token_request body;
    body.lifetime_in_minutes = 30;
    l.dashboard_token = co_await pc.async_generate_dashboard_token(ref, body);
    pbi::powerbi::tile_ref tref{ref.workspace_id, ref.dashboard_id, l.tiles.at(0).id};
    l.tile_token = co_await pc.async_generate_tile_token(tref, body);
    co_return l;
}

struct failure {
    std::error_code ec;
    pbi::diagnostics diag;
};

asio::awaitable<failure> tile_token_failure(pbi::powerbi::client& pc, pbi::powerbi::tile_ref ref,
                                            pbi::powerbi::generate_token_request body) {
    failure f;
    auto [ec, token] =
        co_await pc.async_generate_tile_token(std::move(ref), std::move(body), f.diag, as_tuple);
    f.ec = ec;
    co_return f;
}

asio::awaitable<failure> list_tiles_failure(pbi::powerbi::client& pc, pbi::powerbi::dashboard_ref ref) {
    failure f;
    auto [ec, tiles] = co_await pc.async_list_tiles(std::move(ref), f.diag, as_tuple);
    f.ec = ec;
    co_return f;
}

} // namespace

TEST_CASE("a host lists a workspace's dashboards and tiles and mints an embed token for each") {
    stack s;
    auto l = s.run(dashboard_job(s.powerbi));

    REQUIRE(l.dashboards.size() == 1);
    CHECK(pbi::powerbi::same_id(l.dashboards[0].id, seed::lobby_overview_dashboard));
    CHECK(l.dashboards[0].display_name == "Lobby Overview");
    CHECK(l.dashboards[0].embed_url.find("dashboardEmbed?dashboardId=") != std::string::npos);
    CHECK(l.dashboards[0].embed_url.find("%3d") != std::string::npos); // passed through byte for byte
    REQUIRE(l.tiles.size() == 3);
    CHECK(l.tiles[0].title == "Visitors today");
    CHECK(l.tiles[0].report_id == seed::welcome_board_report);
    CHECK(l.tiles[0].dataset_id == seed::visitors_dataset);
    CHECK(l.tiles[0].col_span == 2);
    CHECK_FALSE(l.tiles[2].report_id); // a text tile
    CHECK_FALSE(l.tiles[2].dataset_id);

    CHECK(l.dashboard_token.token.reveal().size() > 20);
    CHECK(l.tile_token.token.reveal().size() > 20);
    CHECK(l.dashboard_token.token_id != l.tile_token.token_id);
    CHECK(l.tile_token.expiration <= std::chrono::system_clock::now() + std::chrono::minutes(31));
    CHECK(s.emu.request_count("dashboards") == 1);
    CHECK(s.emu.request_count("tiles") == 1);
    CHECK(s.emu.request_count("dashboard_generate_token") == 1);
    CHECK(s.emu.request_count("tile_generate_token") == 1);
}

TEST_CASE("a tile on a row-level-security dataset needs an effective identity") {
    stack s;
    pbi::powerbi::tile_ref ref{seed::sales_floor_workspace, seed::sales_wall_dashboard,
                               seed::leaderboard_tile};
    auto refused = s.run(tile_token_failure(s.powerbi, ref, pbi::powerbi::generate_token_request{}));
    CHECK(refused.ec == pbi::errc::effective_identity_required);
    CHECK(refused.diag.http_status == 400);

    pbi::powerbi::generate_token_request body;
    body.identities.push_back({"screen-7", {"Lobby"}, {seed::sales_dataset}, std::nullopt});
    auto ok = s.run(tile_token_failure(s.powerbi, ref, body));
    CHECK_FALSE(ok.ec);
}

TEST_CASE("an unknown dashboard is PowerBIEntityNotFound and an empty id is refused before any call") {
    stack s;
    auto missing = s.run(list_tiles_failure(
        s.powerbi, {seed::lobby_screens_workspace, "00000000-0000-0000-0000-000000000000"}));
    CHECK(missing.ec == pbi::errc::entity_not_found);
    CHECK(missing.diag.http_status == 404);

    auto empty = s.run(list_tiles_failure(s.powerbi, {seed::lobby_screens_workspace, ""}));
    CHECK(empty.ec == pbi::errc::invalid_argument);
    CHECK(s.emu.request_count("tiles") == 1);
}

namespace {

struct dataset_job_result {
    std::vector<pbi::powerbi::dataset> datasets;
    pbi::powerbi::dataset one;
    pbi::powerbi::refresh_started started;
    std::vector<pbi::powerbi::refresh_entry> history;
};

asio::awaitable<dataset_job_result> dataset_job(pbi::powerbi::client& pc, std::string workspace) {
    dataset_job_result r;
    r.datasets = co_await pc.async_list_datasets(workspace);
    pbi::powerbi::dataset_ref ref{workspace, r.datasets.at(0).id};
    r.one = co_await pc.async_get_dataset(ref);
    r.started = co_await pc.async_refresh_dataset(ref);
    r.history = co_await pc.async_list_refreshes(ref);
    co_return r;
}

} // namespace

TEST_CASE("a dataset is read, refreshed without a Location, and found in its history by request id") {
    stack s;
    auto r = s.run(dataset_job(s.powerbi, seed::sales_floor_workspace));
    REQUIRE(r.datasets.size() == 1);
    CHECK(r.datasets[0].is_effective_identity_required);
    CHECK(r.one.id == r.datasets[0].id);
    CHECK(r.one.name == "Sales");
    CHECK_FALSE(r.started.location); // a plain refresh: no Location, the RequestId names it
    CHECK(r.started.request_id.size() == 36);
    REQUIRE(r.history.size() == 1);
    CHECK(r.history[0].request_id == r.started.request_id);
    CHECK(r.history[0].status == "Completed");
    CHECK(s.emu.request_count("refresh_dataset") == 1);
    CHECK(s.emu.request_count("refreshes") == 1);
    CHECK(s.emu.request_count("dataset") == 1);
}

TEST_CASE("My workspace's datasets are listed without a group") {
    stack s;
    auto r = s.run(dataset_job(s.powerbi, std::string()));
    REQUIRE(r.datasets.size() == 1);
    CHECK(r.datasets[0].id == seed::scratchpad_dataset);
    CHECK(r.history.size() == 1);
}

namespace {

struct v2_outcome {
    std::error_code ec;
    pbi::diagnostics diag;
    pbi::powerbi::embed_token token;
};

asio::awaitable<v2_outcome> v2_token(pbi::powerbi::client& pc, pbi::powerbi::generate_token_v2_request body) {
    v2_outcome out;
    auto [ec, token] = co_await pc.async_generate_token(std::move(body), out.diag, as_tuple);
    out.ec = ec;
    out.token = std::move(token);
    co_return out;
}

pbi::powerbi::effective_identity screen_identity(std::string dataset) {
    return {"screen-7", {"Lobby"}, {std::move(dataset)}, std::string("floor=2")};
}

} // namespace

TEST_CASE("one v2 embed token covers reports of two workspaces and a target workspace") {
    stack s;
    pbi::powerbi::generate_token_v2_request body;
    body.reports = {{seed::welcome_board_report, false}, {seed::budget_overview_report, true}};
    body.datasets = {seed::visitors_dataset, seed::budget_dataset};
    body.target_workspaces = {seed::finance_workspace};
    body.lifetime_in_minutes = 20;
    auto r = s.run(v2_token(s.powerbi, body));
    REQUIRE_FALSE(r.ec);
    CHECK(r.token.token.reveal().size() > 20);
    CHECK(r.token.expiration <= std::chrono::system_clock::now() + std::chrono::minutes(21));
    CHECK(s.emu.request_count("generate_token_v2") == 1);
}

TEST_CASE("a v2 embed token for a row-level-security dataset needs an identity naming it") {
    stack s;
    pbi::powerbi::generate_token_v2_request body;
    body.reports = {{seed::sales_leaderboard_report, false}};
    body.datasets = {seed::sales_dataset};
    auto refused = s.run(v2_token(s.powerbi, body));
    CHECK(refused.ec == pbi::errc::effective_identity_required);
    CHECK(refused.diag.server_message.find(seed::sales_dataset) != std::string::npos);
    CHECK_FALSE(refused.diag.hint.empty());
    CHECK(std::string(pbi::to_string(pbi::errc::effective_identity_required)) ==
          "effective_identity_required");

    body.identities = {screen_identity(seed::sales_dataset)};
    auto ok = s.run(v2_token(s.powerbi, body));
    CHECK_FALSE(ok.ec);
}

TEST_CASE("an identity on a dataset without row-level security is refused by name") {
    stack s;
    pbi::powerbi::generate_token_v2_request body;
    body.reports = {{seed::welcome_board_report, false}, {seed::sales_leaderboard_report, false}};
    body.datasets = {seed::visitors_dataset, seed::sales_dataset};
    body.identities = {screen_identity(seed::sales_dataset), screen_identity(seed::visitors_dataset)};
    auto refused = s.run(v2_token(s.powerbi, body));
    CHECK(refused.ec == pbi::errc::effective_identity_not_allowed);
    CHECK(refused.diag.server_message.find(seed::visitors_dataset) != std::string::npos);

    // The v1 report token names the same mistake.
    pbi::powerbi::generate_token_request v1;
    v1.identities = {screen_identity(seed::visitors_dataset)};
    auto v1_job = [&]() -> asio::awaitable<v2_outcome> { // named: it outlives its coroutine
        v2_outcome out;
        pbi::powerbi::report_ref ref{seed::lobby_screens_workspace, seed::welcome_board_report};
        auto op = s.powerbi.async_generate_report_token(ref, v1, out.diag, as_tuple);
        auto [ec, token] = co_await std::move(op);
        out.ec = ec;
        co_return out;
    };
    auto v1_refused = s.run(v1_job());
    CHECK(v1_refused.ec == pbi::errc::effective_identity_not_allowed);
}

TEST_CASE("a v2 token naming an unknown report is PowerBIEntityNotFound; an empty one is refused locally") {
    stack s;
    pbi::powerbi::generate_token_v2_request body;
    body.reports = {{"00000000-0000-0000-0000-000000000000", false}};
    auto missing = s.run(v2_token(s.powerbi, body));
    CHECK(missing.ec == pbi::errc::entity_not_found);
    auto empty = s.run(v2_token(s.powerbi, pbi::powerbi::generate_token_v2_request{}));
    CHECK(empty.ec == pbi::errc::invalid_argument);
    CHECK(s.emu.request_count("generate_token_v2") == 1);
}

namespace {

struct single_dashboard {
    pbi::powerbi::dashboard dashboard;
    pbi::powerbi::tile text_tile, report_tile;
};

asio::awaitable<single_dashboard> single_dashboard_job(pbi::powerbi::client& pc) {
    single_dashboard out;
    // Upper-case ids: Power BI compares GUIDs case-insensitively.
    std::string upper_dashboard = seed::lobby_overview_dashboard;
    std::transform(upper_dashboard.begin(), upper_dashboard.end(), upper_dashboard.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    pbi::powerbi::dashboard_ref ref{seed::lobby_screens_workspace, upper_dashboard};
    out.dashboard = co_await pc.async_get_dashboard(ref);
    pbi::powerbi::tile_ref text{seed::lobby_screens_workspace, seed::lobby_overview_dashboard,
                                seed::notice_tile};
    out.text_tile = co_await pc.async_get_tile(text);
    pbi::powerbi::tile_ref energy{seed::lobby_screens_workspace, seed::lobby_overview_dashboard,
                                  seed::energy_tile};
    out.report_tile = co_await pc.async_get_tile(energy);
    co_return out;
}

asio::awaitable<failure> get_dashboard_failure(pbi::powerbi::client& pc, pbi::powerbi::dashboard_ref ref) {
    failure f;
    auto [ec, d] = co_await pc.async_get_dashboard(std::move(ref), f.diag, as_tuple);
    f.ec = ec;
    co_return f;
}

asio::awaitable<failure> get_tile_failure(pbi::powerbi::client& pc, pbi::powerbi::tile_ref ref) {
    failure f;
    auto [ec, t] = co_await pc.async_get_tile(std::move(ref), f.diag, as_tuple);
    f.ec = ec;
    co_return f;
}

} // namespace

TEST_CASE("one dashboard and one tile are read by id, as bare objects") {
    stack s;
    auto r = s.run(single_dashboard_job(s.powerbi));

    CHECK(pbi::powerbi::same_id(r.dashboard.id, seed::lobby_overview_dashboard));
    CHECK(r.dashboard.display_name == "Lobby Overview");
    CHECK_FALSE(r.dashboard.is_read_only);
    CHECK(r.dashboard.embed_url.find("dashboardEmbed?dashboardId=") != std::string::npos);
    CHECK(r.dashboard.web_url.find("/dashboards/") != std::string::npos);

    CHECK(r.text_tile.id == seed::notice_tile);
    CHECK(r.text_tile.title.empty());
    CHECK_FALSE(r.text_tile.report_id);
    CHECK_FALSE(r.text_tile.dataset_id);

    CHECK(r.report_tile.title == "Energy use");
    CHECK(r.report_tile.row_span == 2);
    CHECK(r.report_tile.col_span == 2);
    CHECK(r.report_tile.report_id == seed::building_metrics_report);
    CHECK(r.report_tile.dataset_id == seed::facilities_dataset);
    CHECK(r.report_tile.embed_url.find(std::string("tileId=") + seed::energy_tile) != std::string::npos);

    CHECK(s.emu.request_count("dashboard") == 1);
    CHECK(s.emu.request_count("tile") == 2);
    CHECK(s.emu.request_count("tiles") == 0);
}

TEST_CASE("an unknown dashboard or tile is PowerBIEntityNotFound and empty ids are refused before any call") {
    stack s;
    const std::string unknown = "00000000-0000-0000-0000-000000000000";
    auto no_dashboard = s.run(get_dashboard_failure(s.powerbi, {seed::lobby_screens_workspace, unknown}));
    CHECK(no_dashboard.ec == pbi::errc::entity_not_found);
    CHECK(no_dashboard.diag.http_status == 404);
    CHECK_FALSE(no_dashboard.diag.request_id.empty());

    // A dashboard of another workspace is not found in this one.
    auto elsewhere =
        s.run(get_dashboard_failure(s.powerbi, {seed::finance_workspace, seed::lobby_overview_dashboard}));
    CHECK(elsewhere.ec == pbi::errc::entity_not_found);

    auto no_tile = s.run(get_tile_failure(
        s.powerbi, {seed::lobby_screens_workspace, seed::lobby_overview_dashboard, unknown}));
    CHECK(no_tile.ec == pbi::errc::entity_not_found);
    // A tile of another dashboard is not found on this one.
    auto wrong_dashboard = s.run(get_tile_failure(
        s.powerbi, {seed::sales_floor_workspace, seed::sales_wall_dashboard, seed::energy_tile}));
    CHECK(wrong_dashboard.ec == pbi::errc::entity_not_found);

    auto empty_dashboard = s.run(get_dashboard_failure(s.powerbi, {seed::lobby_screens_workspace, ""}));
    CHECK(empty_dashboard.ec == pbi::errc::invalid_argument);
    auto empty_tile = s.run(
        get_tile_failure(s.powerbi, {seed::lobby_screens_workspace, seed::lobby_overview_dashboard, ""}));
    CHECK(empty_tile.ec == pbi::errc::invalid_argument);
    CHECK(s.emu.request_count("dashboard") == 2);
    CHECK(s.emu.request_count("tile") == 2);
}

TEST_CASE("an id of '.' or '..' is refused before anything is sent") {
    stack s;
    // "/groups/../dashboards/x/tiles" would be My workspace's once a proxy normalised the path.
    for (const char* id : {"..", "."}) {
        auto by_workspace = s.run(list_tiles_failure(s.powerbi, {id, "x"}));
        CHECK(by_workspace.ec == pbi::errc::invalid_argument);
        CHECK(by_workspace.diag.message.find("may not be") != std::string::npos);
        auto by_dashboard = s.run(list_tiles_failure(s.powerbi, {seed::lobby_screens_workspace, id}));
        CHECK(by_dashboard.ec == pbi::errc::invalid_argument);
    }
    CHECK(s.http.counters().requests == 0);
    // Dots inside an id are ordinary characters.
    auto dotted = s.run(list_tiles_failure(s.powerbi, {seed::lobby_screens_workspace, "a..b"}));
    CHECK(dotted.ec == pbi::errc::entity_not_found);
}
