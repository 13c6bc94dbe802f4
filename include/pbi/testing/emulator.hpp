// pbi-async — an in-process HTTPS fake of Entra ID and Power BI on 127.0.0.1.
#pragma once

#include <pbi/config.hpp>

#include <pbi/testing/detail/emulator_types.hpp>

#include <asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbi::testing {

namespace detail {
class emulator_server;
}

/// An HTTPS server on 127.0.0.1 that speaks Entra ID's token endpoint, realm discovery, OpenID
/// configuration and the Power BI REST routes the SDK uses, as documented (WIRE.md). It
/// validates what it receives, issues JWT-shaped tokens that expire on `options.now`, counts
/// requests per route and plays fault scripts. HTTP/1.1 with keep-alive; every answer has a
/// Date header; JSON is `application/json; charset=utf-8`.
///
/// Routes (the names request_count() and inject_fault() take):
/// - "token" `POST /{tenant}/oauth2/v2.0/token`, "token_v1" `POST /{tenant}/oauth2/token`:
///   grants password, client_credentials, refresh_token. {tenant} is the tenant id, its domain
///   or "organizations" ("common"/"consumers": refresh only, else AADSTS9001023). Errors as
///   Entra sends them: 90002 unknown tenant, 900144 body not form-encoded or a field missing,
///   70003 grant type, 700016 client id, 7000218/7000215/700025 client secret (401),
///   500011/70011/28000/1002012 scope or resource, 50126 wrong user or password (and any
///   federated user), 50053 locked, 50076 MFA, 70043 revoked / 9002313 unknown refresh token,
///   900561 not a POST. v2 numbers are integers, v1 numbers strings; client credentials never
///   get a refresh token; refresh tokens rotate.
/// - "userrealm" `GET /common/userrealm/{upn}?api-version=1.0|2.0`, "openid"
///   `GET /{tenant}/v2.0/.well-known/openid-configuration` (endpoints point at origin()).
/// - Power BI under `/v1.0/myorg`, bearer-checked (401 PowerBINotAuthorizedException, 403
///   TokenExpired), RequestId on every answer, 404 PowerBIEntityNotFound: "groups" (`$top`,
///   `$skip`, `$filter=name eq '...'`), "reports" (`/reports` = My workspace, and
///   `/groups/{g}/reports`), "report", "pages", "datasets", "generate_token"
///   (`POST /groups/{g}/reports/{r}/GenerateToken`; identities enforced per dataset flags;
///   expiration capped at the calling Entra token's expiry), "dashboards"
///   (`/groups/{g}/dashboards`), "dashboard" (`/groups/{g}/dashboards/{d}`, a bare object),
///   "tiles" (`.../dashboards/{d}/tiles`), "tile" (`.../tiles/{t}`, a bare object),
///   "dashboard_generate_token" and "tile_generate_token"
///   (`POST .../dashboards/{d}[/tiles/{t}]/GenerateToken`; a tile's
///   dataset flags enforced like a report's), "generate_token_v2" (`POST /GenerateToken`: reports,
///   datasets, targetWorkspaces; every dataset involved needs an identity when it has RLS and
///   must not have one when it has not), "dataset" (`[/groups/{g}]/datasets/{d}`), "refreshes"
///   (`GET .../datasets/{d}/refreshes`, newest first) and "refresh_dataset" (`POST` there: 202
///   with a RequestId, a `Location` only for an enhanced refresh; it completes at once).
/// - Export To File, under `[/groups/{g}]/reports/{r}`: "export_to" (`POST .../ExportTo`: 202
///   and an export object; 400 InvalidRequest for an unknown format, PNG of a paginated report,
///   a paginated-only format of a Power BI report, or an unknown pageName), "export_status"
///   (`GET .../exports/{id}`: 202 while NotStarted/Running, 200 when Succeeded/Failed, with
///   `resourceLocation` and `resourceFileExtension` on success) and "export_file"
///   (`GET .../exports/{id}/file`: the file in its own Content-Type — one page of PNG is
///   image/png, more are application/zip of one PNG per page; PDF application/pdf; PPTX, XLSX
///   and DOCX zip packages; CSV, XML, MHTML; IMAGE as TIFF or its OutputFormat PNG). Export ids
///   are base64 with '+', '/' and '='; an id sent with a raw '+' is not found (percent-encode
///   it). Each status poll takes the next step of the job's script (script_export()); without
///   one: NotStarted, Running 50 % (both with `Retry-After:`
///   emulator_options::export_retry_after), then Succeeded.
/// - "not_found" for everything else. Requests over the limits answer 431/413 and close.
///
/// A fault is taken when its route's request has been read, before any validation; the
/// request still counts.
///
/// Thread safety: every member function may be called from any thread. Lifetime: with the
/// executor constructor, destroy the emulator (or call stop()) before its execution context;
/// the connections' coroutines keep the server state alive until they end.
class emulator {
public:
    using report_info = emulator_report_info;
    using dataset_info = emulator_dataset_info;
    using workspace_info = emulator_workspace_info;
    using export_step = emulator_export_step;

    /// Runs on its own thread and io_context; listening when the constructor returns.
    /// Throws std::system_error when the port cannot be bound, std::runtime_error for a bad
    /// certificate.
    PBI_DECL explicit emulator(emulator_options options = {});
    /// Runs on the caller's executor (connections get strands of it); listening on return.
    PBI_DECL emulator(asio::any_io_executor ex, emulator_options options = {});
    /// stop(), then joins the own thread (if any).
    PBI_DECL ~emulator();
    emulator(const emulator&) = delete;
    emulator& operator=(const emulator&) = delete;

    /// Closes the acceptor and every connection (held and delayed ones too). Idempotent.
    PBI_DECL void stop();

    PBI_DECL std::uint16_t port() const;
    /// "https://127.0.0.1:<port>": the authority host and the Power BI API base in one.
    PBI_DECL std::string origin() const;
    /// The trust anchor clients add to verify the emulator's certificate.
    PBI_DECL const std::string& ca_pem() const;
    PBI_DECL const emulator_options& options() const;

    PBI_DECL std::size_t request_count(std::string_view route) const;
    /// TLS connections accepted (handshake completed).
    PBI_DECL std::size_t connection_count() const;
    /// The next `times` requests of `route` get `f` instead of their normal answer.
    PBI_DECL void inject_fault(std::string_view route, fault f, std::size_t times = 1);
    /// Drops pending faults of every route.
    PBI_DECL void clear_faults();

    /// Every access token issued so far answers 403 TokenExpired from now on.
    PBI_DECL void expire_all_tokens();
    /// Every refresh token issued so far answers invalid_grant AADSTS70043 from now on.
    PBI_DECL void revoke_refresh_tokens();
    /// Access tokens issued so far (including expired ones).
    PBI_DECL std::size_t issued_token_count() const;

    PBI_DECL std::vector<workspace_info> workspaces() const;
    /// Adds (or replaces, by id) a workspace.
    PBI_DECL void add_workspace(workspace_info ws);
    PBI_DECL std::vector<report_info> my_workspace_reports() const;
    PBI_DECL void add_my_workspace_report(report_info report);

    /// Scripts the next export job (the next ExportTo that creates one): each status poll answers
    /// the next step, the last step repeats (one Running step without retry_after = running
    /// forever). Scripts queue up, one per job; jobs without one follow the default script.
    PBI_DECL void script_export(std::vector<export_step> steps);
    /// Drops the scripts no job has taken yet.
    PBI_DECL void clear_export_scripts();

private:
    struct runner;
    std::unique_ptr<runner> runner_;
    std::shared_ptr<detail::emulator_server> server_;
};

} // namespace pbi::testing

#if defined(PBI_HEADER_ONLY)
#include <pbi/testing/impl/emulator.ipp>
#endif
