// Export To File against the emulator: submit, poll (Retry-After or the caller's interval),
// resubmit on a failure Power BI asks to retry, give up at the caller's deadline, download.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using pbi_test::as_tuple;
using pbi_test::stack;
namespace seed = pbi::testing::seed;
namespace pb = pbi::powerbi;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

/// Emulator options whose unscripted export jobs send "Retry-After: 0" (the SDK then polls at
/// its own interval, which the tests keep small).
pbi::testing::emulator_options quick_exports() {
    pbi::testing::emulator_options eo;
    eo.export_retry_after = std::chrono::seconds(0);
    return eo;
}

pb::export_request request_for(const char* workspace, const char* report, pb::export_format format) {
    pb::export_request r;
    r.report = {workspace, report};
    r.format = format;
    return r;
}

struct outcome {
    std::error_code ec;
    pbi::diagnostics diag;
    pb::export_result result;
    std::vector<pb::export_progress> progress;
    std::vector<steady::time_point> polled_at;
    steady::time_point started, finished;
};

asio::awaitable<outcome> export_outcome(pb::client& pc, pb::export_request request,
                                        pb::export_options options) {
    outcome o;
    auto on_progress = [&o](const pb::export_progress& p) {
        o.progress.push_back(p);
        o.polled_at.push_back(steady::now());
    };
    options.on_progress = on_progress;
    o.started = steady::now();
    auto op = pb::async_export_report(pc, std::move(request), std::move(options), o.diag, as_tuple);
    auto [ec, result] = co_await std::move(op);
    o.finished = steady::now();
    o.ec = ec;
    o.result = std::move(result);
    co_return o;
}

/// Small poll interval, generous deadline.
pb::export_options quick_polls(std::chrono::milliseconds interval = 20ms) {
    pb::export_options o;
    o.poll_interval = interval;
    o.call.timeout = 20s;
    return o;
}

/// Signs in and opens a connection, so that a test's deadline covers the export alone.
asio::awaitable<int> warm_up(pb::client& pc) {
    pb::report_ref ref{seed::lobby_screens_workspace, seed::welcome_board_report};
    auto op = pc.async_list_pages(ref);
    auto pages = co_await std::move(op);
    co_return static_cast<int>(pages.size());
}

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

TEST_CASE("a one-page PNG export succeeds after NotStarted and Running polls", "[export]") {
    stack s(quick_exports());
    auto request =
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::png);
    pb::export_page page;
    page.name = "ReportSection";
    request.pages.push_back(page);
    auto o = s.run(export_outcome(s.powerbi, request, quick_polls()));

    REQUIRE_FALSE(o.ec);
    CHECK(starts_with(o.result.bytes, "\x89PNG\r\n\x1a\n"));
    CHECK(o.result.content_type == "image/png");
    CHECK(o.result.file_extension == ".png");
    CHECK_FALSE(o.result.is_zip);
    CHECK(o.result.attempts == 1);
    CHECK(o.result.polls == 3);
    REQUIRE(o.progress.size() == 3);
    CHECK(o.progress[0].state == pb::export_state::not_started);
    CHECK(o.progress[1].state == pb::export_state::running);
    CHECK(o.progress[1].percent_complete == 50);
    CHECK(o.progress[2].state == pb::export_state::succeeded);
    CHECK(o.progress[2].percent_complete == 100);
    CHECK(o.progress[2].export_id == o.result.export_id);
    CHECK(s.emu.request_count("report") == 1); // the report type is looked up first
    CHECK(s.emu.request_count("export_to") == 1);
    CHECK(s.emu.request_count("export_status") == 3);
    CHECK(s.emu.request_count("export_file") == 1);
}

TEST_CASE("a PNG export of several pages arrives as a zip and says so", "[export]") {
    stack s(quick_exports());
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::building_metrics_report, pb::export_format::png),
        quick_polls()));

    REQUIRE_FALSE(o.ec);
    CHECK(o.result.is_zip);
    CHECK(starts_with(o.result.bytes, "PK\x03\x04"));
    CHECK(o.result.content_type == "application/zip");
    CHECK(o.result.file_extension == ".zip");
    CHECK(o.result.bytes.find("ReportSection.png") != std::string::npos); // one PNG per page
}

TEST_CASE("PDF, PPTX and paginated exports return the file in its own content type", "[export]") {
    stack s(quick_exports());
    auto pdf = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));
    REQUIRE_FALSE(pdf.ec);
    CHECK(starts_with(pdf.result.bytes, "%PDF-"));
    CHECK(pdf.result.content_type == "application/pdf");
    CHECK(pdf.result.file_extension == ".pdf");
    CHECK_FALSE(pdf.result.is_zip);

    auto pptx = s.run(export_outcome(
        s.powerbi, request_for("", seed::my_scratchpad_report, pb::export_format::pptx), quick_polls()));
    REQUIRE_FALSE(pptx.ec); // My workspace
    CHECK(starts_with(pptx.result.bytes, "PK\x03\x04"));
    CHECK(pptx.result.content_type ==
          "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    CHECK(pptx.result.file_extension == ".pptx");
    CHECK_FALSE(pptx.result.is_zip); // a package, not a zip of pages

    auto xlsx_request =
        request_for(seed::finance_workspace, seed::quarterly_statement_report, pb::export_format::xlsx);
    xlsx_request.parameter_values = {{"Quarter", "Q3"}};
    auto xlsx = s.run(export_outcome(s.powerbi, xlsx_request, quick_polls()));
    REQUIRE_FALSE(xlsx.ec);
    CHECK(xlsx.result.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    CHECK(xlsx.result.file_extension == ".xlsx");
    CHECK(s.emu.request_count("export_file") == 3);
}

TEST_CASE("a job that fails with Retry-After is submitted again after that delay and then succeeds",
          "[export]") {
    stack s(quick_exports());
    s.emu.script_export({{"Failed", 0, std::chrono::seconds(1), "Capacity is busy"}});
    s.emu.script_export({{"Running", 50, std::nullopt, {}}, {"Succeeded", 100, std::nullopt, {}}});
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));

    REQUIRE_FALSE(o.ec);
    CHECK(starts_with(o.result.bytes, "%PDF-"));
    CHECK(o.result.attempts == 2);
    CHECK(s.emu.request_count("export_to") == 2);
    CHECK(s.emu.request_count("export_status") == 3);
    REQUIRE(o.progress.size() == 3);
    CHECK(o.progress[0].state == pb::export_state::failed);
    CHECK(o.progress[0].attempt == 1);
    CHECK(o.progress[1].attempt == 2);
    CHECK(o.progress[0].export_id != o.result.export_id); // a new job
    CHECK((o.polled_at[1] - o.polled_at[0] >= 1s));       // the Retry-After was honoured
}

TEST_CASE("a job that keeps failing with Retry-After stops after the allowed resubmissions", "[export]") {
    stack s(quick_exports());
    s.emu.script_export({{"Failed", 0, std::chrono::seconds(0), {}}});
    s.emu.script_export({{"Failed", 0, std::chrono::seconds(0), "Still busy"}});
    s.emu.script_export({{"Succeeded", 100, std::nullopt, {}}}); // never reached
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));

    CHECK(o.ec == pbi::errc::export_failed);
    CHECK(o.diag.retry_after == std::chrono::seconds(0));
    CHECK(o.diag.server_message == "Still busy");
    CHECK(s.emu.request_count("export_to") == 2);
    CHECK(s.emu.request_count("export_file") == 0);
}

TEST_CASE("a job that fails without Retry-After fails at once with the service's message", "[export]") {
    stack s(quick_exports());
    s.emu.script_export({{"Failed", 0, std::nullopt, "Visual rendering failed"}});
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::png),
        quick_polls()));

    CHECK(o.ec == pbi::errc::export_failed);
    CHECK(o.diag.server_message == "Visual rendering failed");
    CHECK(o.diag.error == "ExportFailed");
    CHECK(o.diag.message.find("Visual rendering failed") != std::string::npos);
    CHECK(o.diag.http_status == 200);
    CHECK_FALSE(o.diag.request_id.empty());
    CHECK_FALSE(o.diag.retry_after);
    CHECK(s.emu.request_count("export_to") == 1);
    CHECK(s.emu.request_count("export_status") == 1); // no further polling
    CHECK(s.emu.request_count("export_file") == 0);
}

TEST_CASE("a job running forever without Retry-After ends at the caller's deadline", "[export]") {
    stack s(quick_exports());
    CHECK(s.run(warm_up(s.powerbi)) == 2);
    s.emu.script_export({{"Running", 10, std::nullopt, {}}});
    auto options = quick_polls(400ms);
    const auto deadline = steady::now() + 1500ms;
    options.call.deadline = deadline;
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        options));

    CHECK(o.ec == pbi::errc::timeout);
    CHECK(o.diag.message.find("deadline") != std::string::npos);
    CHECK_FALSE(o.diag.retry_after); // Power BI did not ask for a delay
    CHECK(o.progress.size() >= 1);
    for (auto t : o.polled_at)
        CHECK((t <= deadline));
    CHECK((o.finished < deadline + options.poll_interval)); // it never slept past the deadline
    const auto polls = s.emu.request_count("export_status");
    CHECK(polls == o.progress.size());

    s.io.restart(); // nothing keeps polling once the operation is over
    s.io.run_for(500ms);
    CHECK(s.emu.request_count("export_status") == polls);
}

TEST_CASE("a Retry-After longer than the deadline allows fails at once with the delay in diagnostics",
          "[export]") {
    stack s(quick_exports());
    s.emu.script_export({{"Running", 20, std::chrono::seconds(30), {}}});
    auto options = quick_polls();
    options.call.timeout = 5s;
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        options));

    CHECK(o.ec == pbi::errc::timeout);
    CHECK(o.diag.retry_after == std::chrono::seconds(30));
    CHECK(o.diag.message.find("30 s") != std::string::npos);
    CHECK(s.emu.request_count("export_status") == 1);
    CHECK((o.finished - o.started < 5s)); // failed at once, without waiting for the deadline
}

TEST_CASE("a format the report's type cannot have is refused before anything is submitted", "[export]") {
    stack s(quick_exports());
    auto png = s.run(export_outcome(
        s.powerbi,
        request_for(seed::finance_workspace, seed::quarterly_statement_report, pb::export_format::png),
        quick_polls()));
    CHECK(png.ec == pbi::errc::export_format_not_supported);
    CHECK(png.diag.message.find("PaginatedReport") != std::string::npos);
    CHECK(png.diag.message.find("PNG") != std::string::npos);
    CHECK(png.diag.hint.find("IMAGE") != std::string::npos);

    auto xlsx = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::xlsx),
        quick_polls()));
    CHECK(xlsx.ec == pbi::errc::export_format_not_supported);
    CHECK(xlsx.diag.message.find("PowerBIReport") != std::string::npos);
    CHECK(xlsx.diag.message.find("XLSX") != std::string::npos);

    CHECK(s.emu.request_count("report") == 2);
    CHECK(s.emu.request_count("export_to") == 0);
}

namespace {
asio::awaitable<pbi_test::failure> raw_export_to(pb::client& pc, std::string path, std::string body) {
    pbi_test::failure f;
    auto call = pc.call("POST", std::move(path), std::move(body), pbi::call_options{}, f.diag);
    auto [ec, res] = co_await std::move(call);
    f.ec = ec;
    co_return f;
}
asio::awaitable<pbi_test::failure> raw_get(pb::client& pc, std::string path) {
    pbi_test::failure f;
    auto call = pc.call("GET", std::move(path), {}, pbi::call_options{}, f.diag);
    auto [ec, res] = co_await std::move(call);
    f.ec = ec;
    co_return f;
}
} // namespace

TEST_CASE("the emulator refuses a PNG export of a paginated report as the service does", "[export]") {
    stack s;
    std::string path = std::string("/groups/") + seed::finance_workspace + "/reports/" +
                       seed::quarterly_statement_report + "/ExportTo";
    auto refused = s.run(raw_export_to(s.powerbi, path, R"({"format":"PNG"})"));
    CHECK(refused.ec == pbi::errc::bad_request);
    CHECK(refused.diag.http_status == 400);
    CHECK(refused.diag.server_message.find("PNG") != std::string::npos);
    auto unknown_page = s.run(raw_export_to(
        s.powerbi,
        std::string("/groups/") + seed::lobby_screens_workspace + "/reports/" + seed::welcome_board_report +
            "/ExportTo",
        R"({"format":"PDF","powerBIReportConfiguration":{"pages":[{"pageName":"NoSuchPage"}]}})"));
    CHECK(unknown_page.ec == pbi::errc::bad_request);
}

TEST_CASE("an export id with '+', '/' and '=' is percent-encoded on every request", "[export]") {
    stack s(quick_exports());
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));
    REQUIRE_FALSE(o.ec);
    const auto& id = o.result.export_id;
    CHECK(id.find('+') != std::string::npos);
    CHECK(id.find('/') != std::string::npos);
    CHECK(id.find('=') != std::string::npos);
    CHECK(s.emu.request_count("export_status") == 3);
    CHECK(s.emu.request_count("export_file") == 1);

    // The same job, with the '+' left raw, is not found: the SDK's encoding is what made it work.
    std::string half_encoded;
    for (char c : id)
        half_encoded += c == '/' ? std::string("%2F") : c == '=' ? std::string("%3D") : std::string(1, c);
    auto raw =
        s.run(raw_get(s.powerbi, std::string("/groups/") + seed::lobby_screens_workspace + "/reports/" +
                                     seed::welcome_board_report + "/exports/" + half_encoded));
    CHECK(raw.ec == pbi::errc::entity_not_found);
}

TEST_CASE("options of the other kind of report and half-made bookmarks are refused", "[export]") {
    stack s(quick_exports());
    auto paginated =
        request_for(seed::finance_workspace, seed::quarterly_statement_report, pb::export_format::pdf);
    pb::export_page page;
    page.name = "ReportSection";
    paginated.pages.push_back(page);
    auto pages = s.run(export_outcome(s.powerbi, paginated, quick_polls()));
    CHECK(pages.ec == pbi::errc::invalid_argument);
    CHECK(pages.diag.message.find("paginated") != std::string::npos);

    auto both =
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf);
    both.bookmark = pb::export_bookmark{"Bookmark1", "H4sI"};
    auto bookmark = s.run(export_outcome(s.powerbi, both, quick_polls()));
    CHECK(bookmark.ec == pbi::errc::invalid_argument);

    CHECK(s.emu.request_count("report") == 1); // the bookmark is checked before any request
    CHECK(s.emu.request_count("export_to") == 0);
}

namespace {
asio::awaitable<std::string> thrown_code(pb::client& pc, pb::export_request request) {
    try {
        auto op = pb::async_export_report(pc, std::move(request));
        co_await std::move(op);
    } catch (const pbi::error& e) {
        co_return pbi::to_string(static_cast<pbi::errc>(e.code().value()));
    }
    co_return "no exception";
}
} // namespace

TEST_CASE("the form without diagnostics throws pbi::error", "[export]") {
    stack s;
    auto code =
        s.run(thrown_code(s.powerbi, request_for(seed::finance_workspace, seed::quarterly_statement_report,
                                                 pb::export_format::png)));
    CHECK(code == "export_format_not_supported");
}

namespace {
pbi::testing::fault throttled_export(std::string retry_after) {
    pbi::testing::fault f;
    f.status = 429;
    f.headers = {{"Content-Type", "application/json; charset=utf-8"},
                 {"Retry-After", std::move(retry_after)}};
    f.body = R"({"error":{"code":"TooManyRequests","message":"slow down"}})";
    return f;
}
} // namespace

TEST_CASE("a 429 on a poll asking for longer than one call may take is waited out within the export's "
          "deadline",
          "[export]") {
    stack s(quick_exports());
    auto short_calls = stack::powerbi_options(s.emu);
    short_calls.call.timeout = 1s; // each request alone: the client itself cannot wait 2 s
    pb::client pc(s.http, s.tokens, short_calls);
    CHECK(s.run(warm_up(pc)) == 2);
    s.emu.inject_fault("export_status", throttled_export("2"));
    auto o = s.run(export_outcome(
        pc, request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));

    REQUIRE_FALSE(o.ec);
    CHECK(starts_with(o.result.bytes, "%PDF-"));
    CHECK(o.result.attempts == 1); // the job was not submitted again
    CHECK((o.finished - o.started >= 2s));
}

TEST_CASE("a 429 on a poll asking for longer than the export's deadline fails at once and names the job",
          "[export]") {
    stack s(quick_exports());
    s.emu.inject_fault("export_status", throttled_export("3600"));
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));

    CHECK(o.ec == pbi::errc::throttled);
    CHECK(o.diag.retry_after == std::chrono::seconds(3600));
    CHECK(o.diag.message.find("export's deadline") != std::string::npos);
    CHECK(o.diag.hint.find("export_options::call") != std::string::npos);
    CHECK(o.diag.message.find("[export job ") != std::string::npos);     // it may still finish
    CHECK(o.diag.message.find(o.result.export_id) != std::string::npos); // and the result names it
    CHECK_FALSE(o.result.export_id.empty());
    CHECK(o.result.bytes.empty());
    CHECK((o.finished - o.started < 10s)); // not slept
    CHECK(s.emu.request_count("export_file") == 0);
}

TEST_CASE("a file larger than max_file_bytes fails with the limit named, and the job with it", "[export]") {
    stack s(quick_exports());
    auto options = quick_polls();
    options.max_file_bytes = 16;
    auto o = s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        options));

    CHECK(o.ec == pbi::errc::body_limit_exceeded);
    CHECK(o.diag.message.find("max_file_bytes (16 bytes)") != std::string::npos);
    CHECK(o.diag.message.find("[export job ") != std::string::npos);
    CHECK(s.emu.request_count("export_file") == 1);

    auto roomy = s.run(export_outcome( // the default (1 GiB) is not the HTTP client's 64 MiB
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));
    REQUIRE_FALSE(roomy.ec);
    CHECK(pb::export_options().max_file_bytes > pbi::http::parser_limits().max_body_bytes);
}

namespace {
/// A PDF export of the Welcome board whose file download answers 200 with `body`.
auto export_with_file_answer(stack& s, std::vector<std::pair<std::string, std::string>> headers,
                             std::string body) {
    pbi::testing::fault answer;
    answer.status = 200;
    answer.headers = std::move(headers);
    answer.body = std::move(body);
    s.emu.inject_fault("export_file", answer);
    return s.run(export_outcome(
        s.powerbi,
        request_for(seed::lobby_screens_workspace, seed::welcome_board_report, pb::export_format::pdf),
        quick_polls()));
}
} // namespace

TEST_CASE("a sign-in page answered with 200 where the file should be is an error, not the file", "[export]") {
    stack s(quick_exports());
    auto o = export_with_file_answer(
        s, {{"Content-Type", "text/html; charset=utf-8"}},
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body></body></html>");

    CHECK(o.ec == pbi::errc::unexpected_content_type);
    CHECK(o.result.bytes.empty());
    CHECK(o.diag.message.find("an HTML page") != std::string::npos);
    CHECK(o.diag.message.find("text/html") != std::string::npos);
    CHECK(o.diag.message.find("[export job ") != std::string::npos);
    CHECK(o.diag.server_message == "Sign in to your account");
    CHECK(o.diag.http_status == 200);
}

TEST_CASE("an HTML page without a Content-Type and a JSON error object are not taken for the file",
          "[export]") {
    stack s(quick_exports());
    auto untyped = export_with_file_answer(s, {}, "\n  <html><body>Gateway</body></html>");
    CHECK(untyped.ec == pbi::errc::unexpected_content_type);
    CHECK(untyped.result.bytes.empty());
    auto json = export_with_file_answer(s, {{"Content-Type", "application/json"}},
                                        R"({"error":{"code":"FileUnavailable"}})");
    CHECK(json.ec == pbi::errc::unexpected_content_type);
    CHECK(json.result.bytes.empty());
}
