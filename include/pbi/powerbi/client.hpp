// pbi-async — powerbi::client: awaitable calls to the Power BI REST API.
#pragma once

#include <pbi/call_options.hpp>
#include <pbi/detail/async_run.hpp>
#include <pbi/diagnostics.hpp>
#include <pbi/entra/token_source.hpp>
#include <pbi/http/client.hpp>
#include <pbi/powerbi/dashboard.hpp>
#include <pbi/powerbi/dataset.hpp>
#include <pbi/powerbi/models.hpp>
#include <pbi/powerbi/retry_policy.hpp>
#include <pbi/result.hpp>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pbi::powerbi {

struct client_options {
    std::string api_origin = "https://api.powerbi.com"; ///< "https://host[:port]"; paths get /v1.0/myorg/...
    call_options call;                                  ///< deadline of each call (including a token fetch)
    int workspace_page_size = 5000;                     ///< $top used when listing workspaces
    retry_options retry;                                ///< 429 and 5xx retries (see client)
};

/// What a client did, for monitoring. Read on the client's executor (or when no call runs).
struct client_counters {
    std::uint64_t requests = 0;      ///< requests sent to Power BI, retries included
    std::uint64_t retries = 0;       ///< requests sent again after a 429 or a 5xx (not token renewals)
    std::uint64_t throttled = 0;     ///< 429 answers (and 503 with Retry-After on a GET)
    std::uint64_t server_errors = 0; ///< 5xx answers
    std::uint64_t past_deadline = 0; ///< calls failed at once: the wait asked for outlasts the deadline
};

/// Which workspaces to list. `filter` is an OData expression (`name eq 'O''Brien'`), encoded by the SDK.
struct workspace_query {
    std::optional<std::string> filter;
    std::optional<int> top; ///< at most this many in total; paging is done inside
};

/// A report in a workspace.
struct report_ref {
    std::string workspace_id;
    std::string report_id;
};

/// Calls to the Power BI REST API with tokens from an entra::token_source.
///
/// Each operation has two forms: with a `diagnostics&` (completion signature
/// void(std::error_code, T)), and without (void(std::exception_ptr, T), the exception being a
/// pbi::error that carries the diagnostics). Both default to asio::use_awaitable. A 403
/// TokenExpired/InvalidToken answer makes the client drop the token, get a new one and retry
/// once. Throttling and transient failures (client_options::retry, plan_retry()):
/// - 429 (any method) waits the `Retry-After` (seconds or HTTP-date; a garbage value counts as
///   absent, and then a short back-off is used) when that wait ends before the call's deadline,
///   and sends again, up to retry_options::max_throttle_retries times. When it would not end in
///   time, the call fails at once with errc::throttled, diagnostics::retry_after and a message
///   saying how long the server asked to wait and how much time the deadline leaves.
/// - 500, 502, 503, 504 on a GET are sent again after an exponential, jittered back-off
///   (base_delay, doubled each time), up to retry_options::max_attempts attempts and never
///   past the deadline; a 503 with Retry-After on a GET waits it like a 429. POSTs are
///   never retried on 5xx: GenerateToken, ExportTo and dataset refreshes are not idempotent.
/// - diagnostics describes the last answer; diagnostics::attempts counts the requests sent.
///   The waits run on a steady_timer on the client's executor and end with the operation's
///   cancellation (asio::error::operation_aborted).
/// Every other error is returned as a typed error with diagnostics (RequestId,
/// X-PowerBI-Error-Info, the Power BI error code). On success too, `diag` keeps the last answer's
/// clock skew (diagnostics::clock_skew, and a warning beyond clock_skew_tolerance). Errors: see
/// pbi::errc (Power BI section) and the transport errors of http::client.
///
/// Thread safety and lifetimes: operations run on the http::client's executor (a strand when
/// the io_context has several threads); the http::client and the token source must outlive the
/// client and its operations; `diag` must outlive the operation.
class client {
    // Completion-token adapters (defined first: the argument-free forms below use them).
    template <class T, class Op, class Token>
    auto run(Op op, diagnostics& diag, Token&& token) {
        return pbi::detail::async_run<T>(get_executor(), std::move(op), diag, std::forward<Token>(token));
    }
    template <class T, class Op, class Token>
    auto run_throwing(Op op, Token&& token) {
        return pbi::detail::async_run_throwing<T>(get_executor(), std::move(op), std::forward<Token>(token));
    }

public:
    using token_handle = std::shared_ptr<const entra::access_token>;

    /// How the client gets bearer tokens and reports rejected ones: any token source.
    struct bearer_source {
        std::function<asio::awaitable<result<token_handle>>(diagnostics&)> get;
        std::function<void(const token_handle&)> invalidate;
    };

    template <class Clock>
    client(http::client& http, entra::basic_token_source<Clock>& tokens, client_options options = {})
        : client(http,
                 bearer_source{[&tokens](diagnostics& d) { return tokens.get(d); },
                               [&tokens](const token_handle& t) {
                                   tokens.invalidate(t);
                               }},
                 std::move(options)) {}
    PBI_DECL client(http::client& http, bearer_source tokens, client_options options = {});

    asio::any_io_executor get_executor() const noexcept { return http_->get_executor(); }
    const client_options& options() const noexcept { return options_; }
    /// Requests, retries and throttled answers so far.
    client_counters counters() const noexcept { return counters_; }

    // --- operations (completion-token surface) ------------------------------------------------

    /// Workspaces the identity can see (GET /groups), paging with $top/$skip inside.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_list_workspaces(workspace_query q, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, q = std::move(q)](diagnostics& d) {
            return list_workspaces(q, d);
        };
        return run<std::vector<workspace>>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_list_workspaces(
        workspace_query q, CompletionToken&& token = {}) {
        auto op = [this, q = std::move(q)](diagnostics& d) {
            return list_workspaces(q, d);
        };
        return run_throwing<std::vector<workspace>>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// Reports in a workspace, or in My workspace when `workspace_id` is empty.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_list_reports(std::string workspace_id, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ws = std::move(workspace_id)](diagnostics& d) {
            return list_reports(ws, d);
        };
        return run<std::vector<report>>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_list_reports(
        std::string workspace_id, CompletionToken&& token = {}) {
        auto op = [this, ws = std::move(workspace_id)](diagnostics& d) {
            return list_reports(ws, d);
        };
        return run_throwing<std::vector<report>>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// One report.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get_report(report_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_report(ref, d);
        };
        return run<report>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_get_report(
        report_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_report(ref, d);
        };
        return run_throwing<report>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// The pages of a report (`name` is what export takes).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_list_pages(report_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return list_pages(ref, d);
        };
        return run<std::vector<page>>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_list_pages(
        report_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return list_pages(ref, d);
        };
        return run_throwing<std::vector<page>>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// An embed token for one report (v1 GenerateToken; accessLevel View unless set).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_generate_report_token(report_ref ref, generate_token_request body, diagnostics& diag,
                                     CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref), body = std::move(body)](diagnostics& d) {
            return generate_report_token(ref, body, d);
        };
        return run<embed_token>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_generate_report_token(
        report_ref ref, generate_token_request body, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref), body = std::move(body)](diagnostics& d) {
            return generate_report_token(ref, body, d);
        };
        return run_throwing<embed_token>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// Dashboards in a workspace (GET /groups/{g}/dashboards).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_list_dashboards(std::string workspace_id, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ws = std::move(workspace_id)](diagnostics& d) {
            return list_dashboards(ws, d);
        };
        return run<std::vector<dashboard>>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_list_dashboards(
        std::string workspace_id, CompletionToken&& token = {}) {
        auto op = [this, ws = std::move(workspace_id)](diagnostics& d) {
            return list_dashboards(ws, d);
        };
        return run_throwing<std::vector<dashboard>>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// The tiles of a dashboard (GET .../dashboards/{d}/tiles).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_list_tiles(dashboard_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return list_tiles(ref, d);
        };
        return run<std::vector<tile>>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_list_tiles(
        dashboard_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return list_tiles(ref, d);
        };
        return run_throwing<std::vector<tile>>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// One dashboard (GET /groups/{g}/dashboards/{d}).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get_dashboard(dashboard_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_dashboard(ref, d);
        };
        return run<dashboard>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_get_dashboard(
        dashboard_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_dashboard(ref, d);
        };
        return run_throwing<dashboard>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// One tile of a dashboard (GET /groups/{g}/dashboards/{d}/tiles/{t}).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get_tile(tile_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_tile(ref, d);
        };
        return run<tile>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_get_tile(
        tile_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_tile(ref, d);
        };
        return run_throwing<tile>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// An embed token for one dashboard (v1 GenerateToken).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_generate_dashboard_token(dashboard_ref ref, generate_token_request body, diagnostics& diag,
                                        CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref), body = std::move(body)](diagnostics& d) {
            return generate_dashboard_token(ref, body, d);
        };
        return run<embed_token>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_generate_dashboard_token(
        dashboard_ref ref, generate_token_request body, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref), body = std::move(body)](diagnostics& d) {
            return generate_dashboard_token(ref, body, d);
        };
        return run_throwing<embed_token>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// An embed token for one tile (v1 GenerateToken).
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_generate_tile_token(tile_ref ref, generate_token_request body, diagnostics& diag,
                                   CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref), body = std::move(body)](diagnostics& d) {
            return generate_tile_token(ref, body, d);
        };
        return run<embed_token>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_generate_tile_token(
        tile_ref ref, generate_token_request body, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref), body = std::move(body)](diagnostics& d) {
            return generate_tile_token(ref, body, d);
        };
        return run_throwing<embed_token>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// Datasets in a workspace, or in My workspace when `workspace_id` is empty.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_list_datasets(std::string workspace_id, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ws = std::move(workspace_id)](diagnostics& d) {
            return list_datasets(ws, d);
        };
        return run<std::vector<dataset>>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_list_datasets(
        std::string workspace_id, CompletionToken&& token = {}) {
        auto op = [this, ws = std::move(workspace_id)](diagnostics& d) {
            return list_datasets(ws, d);
        };
        return run_throwing<std::vector<dataset>>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// One dataset.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_get_dataset(dataset_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_dataset(ref, d);
        };
        return run<dataset>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_get_dataset(
        dataset_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return get_dataset(ref, d);
        };
        return run_throwing<dataset>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// Starts a refresh (`notifyOption` NoNotification, which a service principal must send). Completes
    /// when Power BI accepted it (202): follow it with async_list_refreshes() and its `request_id`.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_refresh_dataset(dataset_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return refresh_dataset(ref, d);
        };
        return run<refresh_started>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_refresh_dataset(
        dataset_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return refresh_dataset(ref, d);
        };
        return run_throwing<refresh_started>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// The refresh history of a dataset, newest first.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_list_refreshes(dataset_ref ref, diagnostics& diag, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return list_refreshes(ref, d);
        };
        return run<std::vector<refresh_entry>>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_list_refreshes(
        dataset_ref ref, CompletionToken&& token = {}) {
        auto op = [this, ref = std::move(ref)](diagnostics& d) {
            return list_refreshes(ref, d);
        };
        return run_throwing<std::vector<refresh_entry>>(std::move(op), std::forward<CompletionToken>(token));
    }

    /// One embed token for several reports, datasets and target workspaces (v2 GenerateToken,
    /// `POST /GenerateToken`). Errors besides the usual: errc::effective_identity_required (a
    /// dataset with row-level security and no identity naming it), errc::effective_identity_not_allowed
    /// (an identity names a dataset without it); the dataset is in diagnostics::server_message.
    /// The v1 token operations name the same two errors.
    template <class CompletionToken = asio::use_awaitable_t<>>
    auto async_generate_token(generate_token_v2_request body, diagnostics& diag,
                              CompletionToken&& token = {}) {
        auto op = [this, body = std::move(body)](diagnostics& d) {
            return generate_token(body, d);
        };
        return run<embed_token>(std::move(op), diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = asio::use_awaitable_t<>>
    requires(!pbi::detail::is_diagnostics<CompletionToken>::value) auto async_generate_token(
        generate_token_v2_request body, CompletionToken&& token = {}) {
        auto op = [this, body = std::move(body)](diagnostics& d) {
            return generate_token(body, d);
        };
        return run_throwing<embed_token>(std::move(op), std::forward<CompletionToken>(token));
    }

    // Argument-free forms. They exist instead of default arguments because g++ 12 corrupts
    // brace-initialised temporaries (such as `= {}` defaults) inside a co_await expression.

    /// All workspaces; throws pbi::error.
    asio::awaitable<std::vector<workspace>> async_list_workspaces() {
        return async_list_workspaces(workspace_query{});
    }
    /// Reports in My workspace; throws pbi::error.
    asio::awaitable<std::vector<report>> async_list_reports() { return async_list_reports(std::string{}); }
    /// A View embed token for one report; throws pbi::error.
    asio::awaitable<embed_token> async_generate_report_token(report_ref ref) {
        return async_generate_report_token(std::move(ref), generate_token_request{});
    }

    // --- the coroutines behind the operations, for the SDK's own layers -----------------------

    PBI_DECL asio::awaitable<result<std::vector<workspace>>> list_workspaces(workspace_query q,
                                                                             diagnostics& diag);
    PBI_DECL asio::awaitable<result<std::vector<report>>> list_reports(std::string workspace_id,
                                                                       diagnostics& diag);
    PBI_DECL asio::awaitable<result<report>> get_report(report_ref ref, diagnostics& diag);
    PBI_DECL asio::awaitable<result<std::vector<page>>> list_pages(report_ref ref, diagnostics& diag);
    PBI_DECL asio::awaitable<result<embed_token>>
    generate_report_token(report_ref ref, generate_token_request body, diagnostics& diag);

    PBI_DECL asio::awaitable<result<std::vector<dashboard>>> list_dashboards(std::string workspace_id,
                                                                             diagnostics& diag);
    PBI_DECL asio::awaitable<result<std::vector<tile>>> list_tiles(dashboard_ref ref, diagnostics& diag);
    PBI_DECL asio::awaitable<result<dashboard>> get_dashboard(dashboard_ref ref, diagnostics& diag);
    PBI_DECL asio::awaitable<result<tile>> get_tile(tile_ref ref, diagnostics& diag);
    PBI_DECL asio::awaitable<result<embed_token>>
    generate_dashboard_token(dashboard_ref ref, generate_token_request body, diagnostics& diag);
    PBI_DECL asio::awaitable<result<embed_token>>
    generate_tile_token(tile_ref ref, generate_token_request body, diagnostics& diag);

    PBI_DECL asio::awaitable<result<std::vector<dataset>>> list_datasets(std::string workspace_id,
                                                                         diagnostics& diag);
    PBI_DECL asio::awaitable<result<dataset>> get_dataset(dataset_ref ref, diagnostics& diag);
    PBI_DECL asio::awaitable<result<refresh_started>> refresh_dataset(dataset_ref ref, diagnostics& diag);
    PBI_DECL asio::awaitable<result<std::vector<refresh_entry>>> list_refreshes(dataset_ref ref,
                                                                                diagnostics& diag);

    PBI_DECL asio::awaitable<result<embed_token>> generate_token(generate_token_v2_request body,
                                                                 diagnostics& diag);

    /// One authorised call: `path` is relative to /v1.0/myorg and already encoded. Gets a token,
    /// sends, renews the token and retries once on 403 TokenExpired, and retries 429 and (GET
    /// only) 5xx answers within `options`' deadline as the class comment says. Each request is
    /// also bounded by the client's own call timeout (`client_options::call`), so a deadline
    /// longer than that gives room to wait for a long Retry-After, not to a hung request. A non-2xx answer
    /// it does not retry becomes a typed error via parse_powerbi_error. `accept` is the Accept
    /// header (a file download takes more than JSON).
    PBI_DECL asio::awaitable<result<http::response>> call(std::string method, std::string path,
                                                          std::string json_body, call_options options,
                                                          diagnostics& diag, std::string accept);
    /// As above, accepting JSON.
    asio::awaitable<result<http::response>> call(std::string method, std::string path, std::string json_body,
                                                 call_options options, diagnostics& diag) {
        return call(std::move(method), std::move(path), std::move(json_body), options, diag,
                    std::string("application/json"));
    }

private:
    http::client* http_;
    bearer_source tokens_;
    client_options options_;
    http::url api_;
    client_counters counters_;
};

} // namespace pbi::powerbi

#if defined(PBI_HEADER_ONLY)
#include <pbi/powerbi/impl/client.ipp>
#endif
