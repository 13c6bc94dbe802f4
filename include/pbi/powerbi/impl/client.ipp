// Bodies for pbi/powerbi/client.hpp.
#pragma once

#include <pbi/exception.hpp>
#include <pbi/http/encoding.hpp>
#include <pbi/powerbi/client.hpp>
#include <pbi/powerbi/error_parser.hpp>
#include <pbi/powerbi/retry_policy.hpp>

#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include <algorithm>
#include <initializer_list>
#include <random>

namespace pbi::powerbi {

namespace detail {

inline http::url parse_api_origin(const std::string& origin) {
    std::error_code ec;
    auto u = http::url::parse(origin, ec);
    if (ec || u.scheme != "https") {
        diagnostics d;
        d.message = "the Power BI API origin '" + origin + "' is not an https URL";
        throw pbi::error(ec ? ec : make_error_code(errc::invalid_url), std::move(d));
    }
    return u;
}

inline std::string report_path(const report_ref& ref) {
    return "/groups/" + http::encode_path_segment(ref.workspace_id) + "/reports/" +
           http::encode_path_segment(ref.report_id);
}

// A 2xx answer whose body cannot be read: the facts an operator quotes to support.
inline void unreadable_answer(const http::response& res, const char* what, std::error_code ec,
                              diagnostics& diag) {
    diag.source = failure_source::powerbi;
    diag.http_status = res.status;
    diag.message = std::string("the ") + what + " from Power BI could not be read: " + ec.message();
    diag.hint = "check the API origin (cloud setting) and any proxy in between; quote the request id if it "
                "persists";
    if (auto id = res.headers.get("RequestId"))
        diag.request_id = std::string(*id);
    else if (auto ms = res.headers.get("x-ms-request-id"))
        diag.request_id = std::string(*ms);
}

// True when `path` has a "." or ".." segment. Paths are built from percent-encoded ids, which
// keep '.', so an id of "." or ".." would make one, and a server or proxy that normalises the
// path would then address another resource ("/groups/../reports" is My workspace's reports).
inline bool has_dot_segment(std::string_view path) {
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = std::min(path.find_first_of("/?", start), path.size());
        const auto segment = path.substr(start, end - start);
        if (segment == "." || segment == "..")
            return true;
        if (end == path.size() || path[end] == '?')
            return false;
        start = end + 1;
    }
    return false;
}

inline std::error_code check_ref(const report_ref& ref, diagnostics& diag) {
    if (ref.workspace_id.empty() || ref.report_id.empty()) {
        diag.message = "a workspace id and a report id are required";
        return make_error_code(errc::invalid_argument);
    }
    return {};
}

} // namespace detail

PBI_DECL client::client(http::client& http, bearer_source tokens, client_options options)
    : http_(&http), tokens_(std::move(tokens)), options_(std::move(options)),
      api_(detail::parse_api_origin(options_.api_origin)) {}

namespace detail {

// Back-off jitter in [0, 1). Per thread: a client's calls all run on its executor anyway.
inline double retry_jitter() {
    thread_local std::minstd_rand random{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}

// "3600 s", "29 s", "250 ms"
inline std::string wait_text(std::chrono::steady_clock::duration d) {
    using namespace std::chrono;
    if (d < d.zero())
        d = d.zero();
    if (d < seconds(1))
        return std::to_string(duration_cast<milliseconds>(d).count()) + " ms";
    return std::to_string(duration_cast<seconds>(d).count()) + " s";
}

// The call fails now, although the server's answer is one that is retried: say why.
inline void explain_past_deadline(std::chrono::steady_clock::duration left, diagnostics& diag) {
    if (diag.retry_after) {
        const std::string wait = wait_text(*diag.retry_after);
        // The 429's own message ends "; retry after N s": say the wait once.
        const std::string said = "; retry after " + std::to_string(diag.retry_after->count()) + " s";
        if (diag.message.size() >= said.size() &&
            diag.message.compare(diag.message.size() - said.size(), said.size(), said) == 0)
            diag.message.resize(diag.message.size() - said.size());
        diag.message += "; the server asked to wait " + wait + " (Retry-After), more than the " +
                        wait_text(left) + " left before the call's deadline, so the call fails now";
        diag.hint = "call again in " + wait +
                    ", or give the call a longer deadline (call_options); reduce the call rate (cache "
                    "embed tokens and lists)";
    } else {
        diag.message +=
            "; too little time (" + wait_text(left) + ") is left before the call's deadline to try again";
    }
}

// The wait before the next attempt, on `ex`. The operation's cancellation slot ends it with
// operation_aborted.
inline asio::awaitable<std::error_code> wait_before_retry(asio::any_io_executor ex,
                                                          std::chrono::steady_clock::duration delay) {
    auto cs = co_await asio::this_coro::cancellation_state;
    if (cs.cancelled() != asio::cancellation_type::none)
        co_return make_error_code(asio::error::operation_aborted);
    asio::steady_timer timer(std::move(ex), delay);
    auto [ec] = co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    auto after = co_await asio::this_coro::cancellation_state;
    if (ec || after.cancelled() != asio::cancellation_type::none)
        co_return make_error_code(asio::error::operation_aborted);
    co_return std::error_code{};
}

} // namespace detail

PBI_DECL asio::awaitable<result<http::response>> client::call(std::string method, std::string path,
                                                              std::string json_body, call_options options,
                                                              diagnostics& diag, std::string accept) {
    if (detail::has_dot_segment(path)) {
        diag.clear();
        diag.message = "an id may not be \".\" or \"..\": the request path would leave its resource";
        diag.hint = "check the workspace, report, dashboard, tile, dataset or export id";
        co_return result<http::response>{make_error_code(errc::invalid_argument), {}};
    }
    // One deadline for the token, every attempt and the waits between them.
    options.deadline = options.effective_deadline();
    const auto deadline = *options.deadline;
    bool token_renewed = false;
    retry_counts retries;
    for (int sent = 0;;) {
        auto [tec, token] = co_await tokens_.get(diag);
        if (tec) {
            diag.attempts = sent;
            co_return result<http::response>{tec, {}};
        }

        http::request req;
        req.method = method;
        req.target = "/v1.0/myorg" + path;
        req.headers.add("Authorization", "Bearer " + token->token.reveal());
        req.headers.add("Accept", accept);
        if (!json_body.empty() || method == "POST")
            req.headers.add("Content-Type", "application/json; charset=utf-8");
        req.body = json_body;

        ++sent;
        ++counters_.requests;
        // Each request: the client's own call timeout at most; the call as a whole (its waits
        // included) may have a longer deadline, as an export does.
        call_options attempt = options;
        attempt.deadline = std::min(deadline, std::chrono::steady_clock::now() + options_.call.timeout);
        auto [ec, res] = co_await http_->send(api_, std::move(req), attempt, diag);
        diag.attempts = sent;
        if (ec)
            co_return result<http::response>{ec, {}};
        const auto received = std::chrono::system_clock::now();
        if (res.status >= 200 && res.status < 300) {
            note_clock_skew(res.headers.get("Date"), received, diag);
            co_return result<http::response>{{}, std::move(res)};
        }

        auto perr = parse_powerbi_error(res.status, res.headers, res.body, diag); // keeps client_request_id
        diag.redact(token->token.reveal()); // a gateway may echo the Authorization header back
        note_clock_skew(res.headers.get("Date"), received, diag);
        diag.attempts = sent;
        if (perr == errc::token_expired && !token_renewed) {
            token_renewed = true;
            tokens_.invalidate(token); // many callers reporting the same token cause one new fetch
            continue;
        }

        const auto now = std::chrono::steady_clock::now();
        const retry_decision plan = plan_retry(res.status, method, diag.retry_after, retries, now, deadline,
                                               detail::retry_jitter(), options_.retry);
        if (plan.rule == retry_rule::throttled)
            ++counters_.throttled;
        if (res.status >= 500)
            ++counters_.server_errors;
        if (!plan.retry) {
            if (plan.past_deadline) {
                ++counters_.past_deadline;
                detail::explain_past_deadline(deadline - now, diag);
            }
            co_return result<http::response>{perr, {}};
        }
        ++counters_.retries;
        ++(plan.rule == retry_rule::throttled ? retries.throttled : retries.server_errors);
        auto wait = detail::wait_before_retry(get_executor(), plan.delay);
        if (auto wec = co_await std::move(wait)) {
            diag.message = "cancelled while waiting " + detail::wait_text(plan.delay) +
                           " to send the call again; the last answer: " + diag.message;
            co_return result<http::response>{wec, {}};
        }
    }
}

PBI_DECL asio::awaitable<result<std::vector<workspace>>> client::list_workspaces(workspace_query q,
                                                                                 diagnostics& diag) {
    std::vector<workspace> all;
    const int page = std::max(1, options_.workspace_page_size);
    for (int skip = 0;;) {
        int want = page;
        if (q.top)
            want = std::min(want, *q.top - static_cast<int>(all.size()));
        if (want <= 0)
            break;
        std::string path = "/groups?$top=" + std::to_string(want) + "&$skip=" + std::to_string(skip);
        if (q.filter)
            path += "&$filter=" + http::encode_query_value(*q.filter);
        auto request = call("GET", std::move(path), {}, options_.call,
                            diag); // g++ 12 mishandles class temporaries inside a co_await
                                   // expression: create the awaitable first
        auto [ec, res] = co_await std::move(request);
        if (ec)
            co_return result<std::vector<workspace>>{ec, {}};
        std::vector<workspace> batch;
        if (auto pec = parse_workspaces(res.body, batch)) {
            detail::unreadable_answer(res, "workspace list", pec, diag);
            co_return result<std::vector<workspace>>{pec, {}};
        }
        const auto got = static_cast<int>(batch.size());
        std::move(batch.begin(), batch.end(), std::back_inserter(all));
        skip += got;
        if (got < want) // no next link in this API: a short page is the last one
            break;
    }
    co_return result<std::vector<workspace>>{{}, std::move(all)};
}

namespace detail {
// A plain function pointer, not a lambda: a closure type has no linkage, and keeping one in a
// coroutine frame of a compiled (PBI_SEPARATE_COMPILATION) build warns (-Wsubobject-linkage).
template <class T>
result<T> parse_body(const http::response& res, diagnostics& diag, const char* what,
                     std::error_code (*parse)(std::string_view, T&)) {
    T value{};
    if (auto ec = parse(res.body, value)) {
        unreadable_answer(res, what, ec, diag);
        return {ec, {}};
    }
    return {{}, std::move(value)};
}
} // namespace detail

PBI_DECL asio::awaitable<result<std::vector<report>>> client::list_reports(std::string workspace_id,
                                                                           diagnostics& diag) {
    std::string path =
        workspace_id.empty() ? "/reports" : "/groups/" + http::encode_path_segment(workspace_id) + "/reports";
    auto request = call("GET", std::move(path), {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<std::vector<report>>{ec, {}};
    co_return detail::parse_body<std::vector<report>>(res, diag, "report list", &parse_reports);
}

PBI_DECL asio::awaitable<result<report>> client::get_report(report_ref ref, diagnostics& diag) {
    if (auto e = detail::check_ref(ref, diag))
        co_return result<report>{e, {}};
    auto request = call("GET", detail::report_path(ref), {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<report>{ec, {}};
    co_return detail::parse_body<report>(res, diag, "report", &parse_report);
}

PBI_DECL asio::awaitable<result<std::vector<page>>> client::list_pages(report_ref ref, diagnostics& diag) {
    if (auto e = detail::check_ref(ref, diag))
        co_return result<std::vector<page>>{e, {}};
    auto request = call("GET", detail::report_path(ref) + "/pages", {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<std::vector<page>>{ec, {}};
    co_return detail::parse_body<std::vector<page>>(res, diag, "page list", &parse_pages);
}

namespace detail {

// A GenerateToken answer. Power BI says 400 InvalidRequest for both row-level-security
// mistakes; its message tells them apart, and the caller deserves a name for each.
inline result<embed_token> embed_token_answer(std::error_code ec, const http::response& res,
                                              diagnostics& diag) {
    if (ec == errc::bad_request) {
        const auto named = classify_effective_identity_error(diag.server_message);
        if (named == errc::effective_identity_required) {
            diag.message =
                "a dataset of this token uses row-level security, and no effective identity names it";
            diag.hint = "add an effective_identity (username, roles) whose datasets list that dataset";
            return {named, {}};
        }
        if (named == errc::effective_identity_not_allowed) {
            diag.message = "an effective identity names a dataset that has no row-level security";
            diag.hint = "remove that dataset from the identity's datasets (or the identity itself)";
            return {named, {}};
        }
    }
    if (ec)
        return {ec, {}};
    return parse_body<embed_token>(res, diag, "embed token", &parse_embed_token);
}

} // namespace detail

PBI_DECL asio::awaitable<result<embed_token>>
client::generate_report_token(report_ref ref, generate_token_request body, diagnostics& diag) {
    if (auto e = detail::check_ref(ref, diag))
        co_return result<embed_token>{e, {}};
    auto request = call("POST", detail::report_path(ref) + "/GenerateToken",
                        generate_token_request_body(body), options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    co_return detail::embed_token_answer(ec, res, diag);
}

namespace detail {

inline std::string dashboard_path(const std::string& workspace_id, const std::string& dashboard_id) {
    return "/groups/" + http::encode_path_segment(workspace_id) + "/dashboards/" +
           http::encode_path_segment(dashboard_id);
}

inline std::error_code check_ids(std::initializer_list<const std::string*> ids, const char* what,
                                 diagnostics& diag) {
    for (const auto* id : ids) {
        if (id->empty()) {
            diag.message = what;
            return make_error_code(errc::invalid_argument);
        }
    }
    return {};
}

} // namespace detail

PBI_DECL asio::awaitable<result<std::vector<dashboard>>> client::list_dashboards(std::string workspace_id,
                                                                                 diagnostics& diag) {
    if (auto e = detail::check_ids({&workspace_id}, "a workspace id is required", diag))
        co_return result<std::vector<dashboard>>{e, {}};
    auto request = call("GET", "/groups/" + http::encode_path_segment(workspace_id) + "/dashboards", {},
                        options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<std::vector<dashboard>>{ec, {}};
    co_return detail::parse_body<std::vector<dashboard>>(res, diag, "dashboard list", &parse_dashboards);
}

PBI_DECL asio::awaitable<result<std::vector<tile>>> client::list_tiles(dashboard_ref ref, diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.workspace_id, &ref.dashboard_id},
                                   "a workspace id and a dashboard id are required", diag))
        co_return result<std::vector<tile>>{e, {}};
    auto request = call("GET", detail::dashboard_path(ref.workspace_id, ref.dashboard_id) + "/tiles", {},
                        options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<std::vector<tile>>{ec, {}};
    co_return detail::parse_body<std::vector<tile>>(res, diag, "tile list", &parse_tiles);
}

PBI_DECL asio::awaitable<result<dashboard>> client::get_dashboard(dashboard_ref ref, diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.workspace_id, &ref.dashboard_id},
                                   "a workspace id and a dashboard id are required", diag))
        co_return result<dashboard>{e, {}};
    auto request =
        call("GET", detail::dashboard_path(ref.workspace_id, ref.dashboard_id), {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<dashboard>{ec, {}};
    co_return detail::parse_body<dashboard>(res, diag, "dashboard", &parse_dashboard);
}

PBI_DECL asio::awaitable<result<tile>> client::get_tile(tile_ref ref, diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.workspace_id, &ref.dashboard_id, &ref.tile_id},
                                   "a workspace id, a dashboard id and a tile id are required", diag))
        co_return result<tile>{e, {}};
    auto request = call("GET",
                        detail::dashboard_path(ref.workspace_id, ref.dashboard_id) + "/tiles/" +
                            http::encode_path_segment(ref.tile_id),
                        {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<tile>{ec, {}};
    co_return detail::parse_body<tile>(res, diag, "tile", &parse_tile);
}

PBI_DECL asio::awaitable<result<embed_token>>
client::generate_dashboard_token(dashboard_ref ref, generate_token_request body, diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.workspace_id, &ref.dashboard_id},
                                   "a workspace id and a dashboard id are required", diag))
        co_return result<embed_token>{e, {}};
    auto request = call("POST", detail::dashboard_path(ref.workspace_id, ref.dashboard_id) + "/GenerateToken",
                        generate_token_request_body(body), options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    co_return detail::embed_token_answer(ec, res, diag);
}

PBI_DECL asio::awaitable<result<embed_token>>
client::generate_tile_token(tile_ref ref, generate_token_request body, diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.workspace_id, &ref.dashboard_id, &ref.tile_id},
                                   "a workspace id, a dashboard id and a tile id are required", diag))
        co_return result<embed_token>{e, {}};
    auto request = call("POST",
                        detail::dashboard_path(ref.workspace_id, ref.dashboard_id) + "/tiles/" +
                            http::encode_path_segment(ref.tile_id) + "/GenerateToken",
                        generate_token_request_body(body), options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    co_return detail::embed_token_answer(ec, res, diag);
}

namespace detail {

inline std::string dataset_path(const dataset_ref& ref) {
    std::string path =
        ref.workspace_id.empty() ? std::string() : "/groups/" + http::encode_path_segment(ref.workspace_id);
    return path + "/datasets/" + http::encode_path_segment(ref.dataset_id);
}

} // namespace detail

PBI_DECL asio::awaitable<result<std::vector<dataset>>> client::list_datasets(std::string workspace_id,
                                                                             diagnostics& diag) {
    std::string path = workspace_id.empty()
                           ? "/datasets"
                           : "/groups/" + http::encode_path_segment(workspace_id) + "/datasets";
    auto request = call("GET", std::move(path), {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<std::vector<dataset>>{ec, {}};
    co_return detail::parse_body<std::vector<dataset>>(res, diag, "dataset list", &parse_datasets);
}

PBI_DECL asio::awaitable<result<dataset>> client::get_dataset(dataset_ref ref, diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.dataset_id}, "a dataset id is required", diag))
        co_return result<dataset>{e, {}};
    auto request = call("GET", detail::dataset_path(ref), {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<dataset>{ec, {}};
    co_return detail::parse_body<dataset>(res, diag, "dataset", &parse_dataset);
}

PBI_DECL asio::awaitable<result<refresh_started>> client::refresh_dataset(dataset_ref ref,
                                                                          diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.dataset_id}, "a dataset id is required", diag))
        co_return result<refresh_started>{e, {}};
    auto request = call("POST", detail::dataset_path(ref) + "/refreshes",
                        R"({"notifyOption":"NoNotification"})", options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<refresh_started>{ec, {}};
    refresh_started started;
    if (auto location = res.headers.get("Location"); location && !location->empty())
        started.location = std::string(*location);
    if (auto id = res.headers.get("RequestId"))
        started.request_id = std::string(*id);
    else if (auto ms = res.headers.get("x-ms-request-id"))
        started.request_id = std::string(*ms);
    if (!started.location && started.request_id.empty()) {
        detail::unreadable_answer(res, "refresh answer", make_error_code(errc::unexpected_json), diag);
        diag.message += " (neither a Location nor a RequestId header)";
        co_return result<refresh_started>{make_error_code(errc::unexpected_json), {}};
    }
    co_return result<refresh_started>{{}, std::move(started)};
}

PBI_DECL asio::awaitable<result<std::vector<refresh_entry>>> client::list_refreshes(dataset_ref ref,
                                                                                    diagnostics& diag) {
    if (auto e = detail::check_ids({&ref.dataset_id}, "a dataset id is required", diag))
        co_return result<std::vector<refresh_entry>>{e, {}};
    auto request = call("GET", detail::dataset_path(ref) + "/refreshes", {}, options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    if (ec)
        co_return result<std::vector<refresh_entry>>{ec, {}};
    co_return detail::parse_body<std::vector<refresh_entry>>(res, diag, "refresh history", &parse_refreshes);
}

PBI_DECL asio::awaitable<result<embed_token>> client::generate_token(generate_token_v2_request body,
                                                                     diagnostics& diag) {
    if (body.reports.empty() && body.datasets.empty()) {
        diag.message = "a v2 embed token needs at least one report or dataset";
        co_return result<embed_token>{make_error_code(errc::invalid_argument), {}};
    }
    auto request = call("POST", "/GenerateToken", generate_token_v2_request_body(body), options_.call, diag);
    auto [ec, res] = co_await std::move(request);
    co_return detail::embed_token_answer(ec, res, diag);
}

} // namespace pbi::powerbi
