// pbi-async — the value types of <pbi/testing/emulator.hpp> (options, users, faults, content,
// seed ids), split out so that the emulator's internals can use them. Include the emulator's
// header instead of this one.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pbi::testing {

/// A Power BI service account the emulator's token endpoint knows.
struct emulator_user {
    std::string username{};
    std::string password{};
    bool mfa_required = false; ///< right password → AADSTS50076 (ROPC cannot do MFA)
    bool federated = false;    ///< ADFS account: ROPC answers AADSTS50126 whatever the password
    bool locked = false;       ///< smart lockout: AADSTS50053 whatever the password
};

struct emulator_options {
    std::uint16_t port = 0; ///< 0 = ephemeral
    std::string tenant_id = "11111111-2222-3333-4444-555555555555";
    /// Also accepted in token URLs, as is "organizations".
    std::string tenant_domain = "contoso.onmicrosoft.com";
    std::string client_id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    /// Empty = a public client (then a sent secret is AADSTS700025).
    std::string client_secret = "emulator-client-secret";
    std::vector<emulator_user> users = {{"signage@contoso.onmicrosoft.com", "emulator-password"}};
    /// Each access token gets a random expires_in in [min, max].
    std::chrono::seconds min_token_lifetime{3600}, max_token_lifetime{5400};
    std::chrono::milliseconds latency{0}; ///< added before every answer
    /// The emulator's clock (default system_clock::now): token expiry, embed token expiration
    /// and the Date header use it. Called from the server's threads.
    std::function<std::chrono::system_clock::time_point()> now{};
    bool seed_content = true; ///< the demo workspaces of namespace `seed`
    /// PEM server certificate (chain) and key; empty = default_certificates().
    std::string certificate_pem{}, private_key_pem{};
    /// What ca_pem() reports with a custom certificate (default: certificate_pem itself).
    std::string ca_certificate_pem{};
    std::uint64_t random_seed = 0;            ///< 0 = random
    std::size_t max_header_bytes = 16 * 1024; ///< larger request heads answer 431
    std::size_t max_body_bytes = 1024 * 1024; ///< larger request bodies answer 413
    /// The Retry-After of the NotStarted and Running polls of an unscripted export job; nullopt = none.
    std::optional<std::chrono::seconds> export_retry_after = std::chrono::seconds(1);
};

/// One answer of an export job's status route (emulator::script_export): each poll takes the
/// next step, and the last one repeats.
struct emulator_export_step {
    std::string status = "Running"; ///< "NotStarted", "Running", "Succeeded", "Failed" (sent as given)
    int percent_complete = 0;
    std::optional<std::chrono::seconds> retry_after{}; ///< the Retry-After header; none when empty
    std::string error_message{}; ///< a Failed step's `error` {"code":"ExportFailed","message":...} if set
};

/// What the emulator does instead of its normal answer, for the next N requests of a route.
/// close_mid_* cut the fault's own answer (status/headers/body) when it has a body or headers,
/// else the route's normal answer (the request is then processed as usual); both drop the TCP
/// connection without a TLS close_notify.
struct fault {
    enum class action {
        respond,               ///< answer with status/headers/body (or write `raw`)
        close_before_response, ///< close the connection without writing a byte
        close_mid_headers,     ///< write half of the header block, then close
        close_mid_body,        ///< write the headers and half the body, then close
        never_respond,         ///< hold the connection open until the peer or stop() closes it
    };
    action what = action::respond;
    int status = 500;
    /// Sent as given. When they name Content-Length or Transfer-Encoding the body is written
    /// verbatim; without Content-Type a JSON-looking body gets application/json. Power BI
    /// routes add a RequestId when none is given.
    std::vector<std::pair<std::string, std::string>> headers{};
    std::string body{};
    bool chunked = false; ///< frame the body (also a cut one) with Transfer-Encoding: chunked
    std::chrono::milliseconds delay{0};
    /// With action::respond, when non-empty: written verbatim instead of an answer, then the
    /// connection closes cleanly (TLS close_notify), so a body delimited by EOF ends there.
    std::string raw{};
};

/// Ids of the seeded demo content (emulator_options::seed_content).
namespace seed {
inline constexpr const char* lobby_screens_workspace = "3f2b8c1e-6d4a-4e7b-9a15-1c0d2e3f4a01";
inline constexpr const char* sales_floor_workspace = "7a9c0d2e-1b3f-4c5d-8e6f-2a3b4c5d6e02";
inline constexpr const char* finance_workspace = "b4e6f8a0-2c4d-4e6f-a1b2-3c4d5e6f7a03";

inline constexpr const char* welcome_board_report = "5d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d511"; // Lobby Screens
inline constexpr const char* building_metrics_report =
    "6e2f3a4b-5c6d-4e7f-9081-92b3c4d5e612"; // Lobby Screens
inline constexpr const char* sales_leaderboard_report =
    "8a3b4c5d-6e7f-4a81-b2c3-d4e5f6a7b821"; // Sales Floor (RLS)
inline constexpr const char* regional_targets_report =
    "9b4c5d6e-7f8a-4b92-83d4-e5f6a7b8c922"; // Sales Floor (RLS)
inline constexpr const char* budget_overview_report = "ac5d6e7f-8a9b-4ca3-94e5-f6a7b8c9da31"; // Finance
inline constexpr const char* quarterly_statement_report =
    "bd6e7f8a-9bac-4db4-a5f6-a7b8c9daeb32"; // Finance, paginated
inline constexpr const char* my_scratchpad_report = "ce7f8a9b-acbd-4ec5-b6a7-b8c9daebfc41"; // My workspace

inline constexpr const char* visitors_dataset = "d1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a51";
inline constexpr const char* facilities_dataset = "e2a3b4c5-d6e7-4f8a-9b0c-1d2e3f4a5b52";
/// isEffectiveIdentityRequired: GenerateToken needs `identities`.
inline constexpr const char* sales_dataset = "f3b4c5d6-e7f8-4a9b-8c1d-2e3f4a5b6c53";
inline constexpr const char* budget_dataset = "a4c5d6e7-f8a9-4b0c-9d2e-3f4a5b6c7d54";
inline constexpr const char* scratchpad_dataset = "b5d6e7f8-a9b0-4c1d-8e3f-4a5b6c7d8e61";

inline constexpr const char* lobby_overview_dashboard =
    "c1a2b3d4-e5f6-4a7b-8c9d-0e1f2a3b4c71";                                         // Lobby Screens
inline constexpr const char* welcome_tile = "d2b3c4e5-f6a7-4b8c-9d0e-1f2a3b4c5d72"; // Welcome Board
inline constexpr const char* energy_tile = "e3c4d5f6-a7b8-4c9d-8e1f-2a3b4c5d6e73";  // Building Metrics
inline constexpr const char* notice_tile =
    "f4d5e6a7-b8c9-4d0e-9f2a-3b4c5d6e7f74"; // text: no report, no dataset
inline constexpr const char* sales_wall_dashboard =
    "a5e6f7b8-c9d0-4e1f-8a3b-4c5d6e7f8a81";                                             // Sales Floor (RLS)
inline constexpr const char* leaderboard_tile = "b6f7a8c9-d0e1-4f2a-9b4c-5d6e7f8a9b82"; // Sales Leaderboard

inline constexpr const char* lobby_capacity = "0f084df7-c13d-451b-af5f-ed0c466403b2";
} // namespace seed

struct emulator_report_info {
    std::string id{}, name{}, report_type{}; ///< report_type: "PowerBIReport" or "PaginatedReport"
    std::string dataset_id{};                ///< empty for paginated reports
    std::vector<std::pair<std::string, std::string>> pages{}; ///< name, displayName
};

struct emulator_tile_info {
    std::string id{}, title{};
    int row_span = 1, col_span = 1;
    std::string report_id{}, dataset_id{}; ///< empty = absent from the answer
};

struct emulator_dashboard_info {
    std::string id{}, display_name{};
    std::vector<emulator_tile_info> tiles{};
};

struct emulator_dataset_info {
    std::string id{}, name{};
    bool effective_identity_required = false;       ///< GenerateToken needs identities
    bool effective_identity_roles_required = false; ///< ... with roles
};

struct emulator_workspace_info {
    std::string id{}, name{};
    std::vector<emulator_report_info> reports{};
    /// Empty when added: one dataset per distinct report dataset_id, no identity required.
    std::vector<emulator_dataset_info> datasets{};
    std::string capacity_id{}; ///< non-empty = isOnDedicatedCapacity
    std::vector<emulator_dashboard_info> dashboards{};
};

} // namespace pbi::testing
