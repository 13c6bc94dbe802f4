// pbi-async — emulator internals: everything the routes read and change, behind one mutex.
#pragma once

#include <pbi/http/fields.hpp>
#include <pbi/testing/detail/emulator_types.hpp>
#include <pbi/testing/detail/export_jobs.hpp>
#include <pbi/testing/detail/token_mint.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbi::testing::detail {

/// An access token the emulator issued.
struct issued_token {
    std::chrono::system_clock::time_point expires_at;
    bool force_expired = false; // expire_all_tokens()
    std::string route;          // "token" or "token_v1"
    std::string client_id, upn; // upn empty for app-only tokens
};

/// A refresh token the emulator issued (they rotate; the old one stays valid until revoked).
struct issued_refresh_token {
    std::string client_id, username;
    bool openid = false;
    bool revoked = false;
};

/// GUIDs from URLs compare case-insensitively.
inline bool same_id(std::string_view a, std::string_view b) {
    return http::iequals(a, b);
}

/// A dataset refresh the emulator accepted (it completes at once).
struct refresh_record {
    std::int64_t id = 0;
    std::string request_id, dataset_id;
    std::chrono::system_clock::time_point start;
};

class emulator_state {
public:
    explicit emulator_state(emulator_options opts) : random(opts.random_seed), options_(std::move(opts)) {
        if (options_.max_token_lifetime < options_.min_token_lifetime) {
            options_.max_token_lifetime = options_.min_token_lifetime;
        }
        if (options_.seed_content) {
            seed();
        }
    }

    const emulator_options& options() const { return options_; }
    std::chrono::system_clock::time_point now() const {
        return options_.now ? options_.now() : std::chrono::system_clock::now();
    }

    // --- counters and faults (take the lock themselves)
    void count(std::string_view route) {
        std::lock_guard lock(mutex);
        auto it = counts_.find(route);
        if (it == counts_.end()) {
            counts_.emplace(std::string(route), 1);
        } else {
            ++it->second;
        }
    }
    std::size_t request_count(std::string_view route) const {
        std::lock_guard lock(mutex);
        auto it = counts_.find(route);
        return it == counts_.end() ? 0 : it->second;
    }
    void inject_fault(std::string_view route, fault f, std::size_t times) {
        if (times == 0) {
            return;
        }
        std::lock_guard lock(mutex);
        faults_[std::string(route)].emplace_back(std::move(f), times);
    }
    void clear_faults() {
        std::lock_guard lock(mutex);
        faults_.clear();
    }
    std::optional<fault> take_fault(std::string_view route) {
        std::lock_guard lock(mutex);
        auto it = faults_.find(route);
        if (it == faults_.end() || it->second.empty()) {
            return std::nullopt;
        }
        auto& front = it->second.front();
        fault f = front.first;
        if (--front.second == 0) {
            it->second.pop_front();
        }
        return f;
    }

    // --- tokens (callers hold `mutex`)
    void record_access_token(const std::string& token, issued_token info) {
        if (access_tokens.size() >= 4096) { // a long-running emulator: forget long-dead tokens
            auto horizon = now() - std::chrono::hours(24);
            std::erase_if(access_tokens, [&](const auto& kv) { return kv.second.expires_at < horizon; });
        }
        access_tokens.emplace(token, std::move(info));
    }
    void expire_all_tokens() {
        std::lock_guard lock(mutex);
        for (auto& [token, info] : access_tokens) {
            info.force_expired = true;
        }
    }
    void revoke_refresh_tokens() {
        std::lock_guard lock(mutex);
        for (auto& [token, info] : refresh_tokens) {
            info.revoked = true;
        }
    }

    // --- content (callers hold `mutex`)
    emulator_workspace_info* find_workspace(std::string_view id) {
        for (auto& ws : workspaces) {
            if (same_id(ws.id, id)) {
                return &ws;
            }
        }
        return nullptr;
    }
    static emulator_report_info* find_report(std::vector<emulator_report_info>& reports,
                                             std::string_view id) {
        for (auto& r : reports) {
            if (same_id(r.id, id)) {
                return &r;
            }
        }
        return nullptr;
    }
    static emulator_dashboard_info* find_dashboard(std::vector<emulator_dashboard_info>& dashboards,
                                                   std::string_view id) {
        for (auto& d : dashboards) {
            if (same_id(d.id, id)) {
                return &d;
            }
        }
        return nullptr;
    }
    static const emulator_tile_info* find_tile(const emulator_dashboard_info& dashboard,
                                               std::string_view id) {
        for (const auto& t : dashboard.tiles) {
            if (same_id(t.id, id)) {
                return &t;
            }
        }
        return nullptr;
    }
    static const emulator_dataset_info* find_dataset(const std::vector<emulator_dataset_info>& datasets,
                                                     std::string_view id) {
        for (const auto& d : datasets) {
            if (same_id(d.id, id)) {
                return &d;
            }
        }
        return nullptr;
    }
    /// One dataset per distinct report dataset id, named after the first report using it.
    static void derive_datasets(const std::vector<emulator_report_info>& reports,
                                std::vector<emulator_dataset_info>& datasets) {
        for (const auto& r : reports) {
            if (!r.dataset_id.empty() && !find_dataset(datasets, r.dataset_id)) {
                datasets.push_back({r.dataset_id, r.name, false, false});
            }
        }
    }
    void add_workspace(emulator_workspace_info ws) {
        if (ws.datasets.empty()) {
            derive_datasets(ws.reports, ws.datasets);
        }
        std::lock_guard lock(mutex);
        if (auto* existing = find_workspace(ws.id)) {
            *existing = std::move(ws);
        } else {
            workspaces.push_back(std::move(ws));
        }
    }
    void add_my_report(emulator_report_info report) {
        std::lock_guard lock(mutex);
        if (auto* existing = find_report(my_reports, report.id)) {
            *existing = std::move(report);
        } else {
            my_reports.push_back(std::move(report));
        }
        derive_datasets(my_reports, my_datasets);
    }

    mutable std::mutex mutex;
    random_source random;                                                    // guarded
    std::map<std::string, issued_token, std::less<>> access_tokens;          // guarded
    std::map<std::string, issued_refresh_token, std::less<>> refresh_tokens; // guarded
    std::vector<emulator_workspace_info> workspaces;                         // guarded
    std::vector<emulator_report_info> my_reports;                            // guarded
    std::vector<emulator_dataset_info> my_datasets;                          // guarded
    std::vector<refresh_record> refreshes;                                   // guarded, oldest first
    export_jobs exports;                                                     // guarded
    std::atomic<std::size_t> connections{0};
    std::string origin; // set once before the server starts

private:
    void seed() {
        using r = emulator_report_info;
        workspaces.push_back(
            {seed::lobby_screens_workspace,
             "Lobby Screens",
             {r{seed::welcome_board_report,
                "Welcome Board",
                "PowerBIReport",
                seed::visitors_dataset,
                {{"ReportSection", "Welcome"}, {"ReportSection2b7e9d01c4a3f5e6d8b0", "Today's Visitors"}}},
              r{seed::building_metrics_report,
                "Building Metrics",
                "PowerBIReport",
                seed::facilities_dataset,
                {{"ReportSection", "Energy"},
                 {"ReportSection5c1f8e2d9a7b3c6e4f10", "Occupancy"},
                 {"ReportSectiona4d2c9e8b1f7a3c5d6e2", "Air Quality"}}}},
             {{seed::visitors_dataset, "Visitors", false, false},
              {seed::facilities_dataset, "Facilities", false, false}},
             seed::lobby_capacity});
        workspaces.push_back(
            {seed::sales_floor_workspace,
             "Sales Floor",
             {r{seed::sales_leaderboard_report,
                "Sales Leaderboard",
                "PowerBIReport",
                seed::sales_dataset,
                {{"ReportSection", "Leaderboard"}, {"ReportSection7d3e1a9c5b2f8e4d6a01", "By Region"}}},
              r{seed::regional_targets_report,
                "Regional Targets",
                "PowerBIReport",
                seed::sales_dataset,
                {{"ReportSection", "Targets"}}}},
             {{seed::sales_dataset, "Sales", true, false}},
             {}});
        workspaces.push_back(
            {seed::finance_workspace,
             "Finance",
             {r{seed::budget_overview_report,
                "Budget Overview",
                "PowerBIReport",
                seed::budget_dataset,
                {{"ReportSection", "Overview"}, {"ReportSection9e4f2b8a6c1d7e3f5a02", "Variance"}}},
              r{seed::quarterly_statement_report, "Quarterly Statement", "PaginatedReport", "", {}}},
             {{seed::budget_dataset, "Budget", false, false}},
             {}});
        using t = emulator_tile_info;
        workspaces[0].dashboards.push_back({seed::lobby_overview_dashboard,
                                            "Lobby Overview",
                                            {t{seed::welcome_tile, "Visitors today", 1, 2,
                                               seed::welcome_board_report, seed::visitors_dataset},
                                             t{seed::energy_tile, "Energy use", 2, 2,
                                               seed::building_metrics_report, seed::facilities_dataset},
                                             t{seed::notice_tile, "", 1, 1, "", ""}}});
        workspaces[1].dashboards.push_back({seed::sales_wall_dashboard,
                                            "Sales Wall",
                                            {t{seed::leaderboard_tile, "Top sellers", 2, 3,
                                               seed::sales_leaderboard_report, seed::sales_dataset}}});
        my_reports.push_back({seed::my_scratchpad_report,
                              "My Scratchpad",
                              "PowerBIReport",
                              seed::scratchpad_dataset,
                              {{"ReportSection", "Page 1"}}});
        my_datasets.push_back({seed::scratchpad_dataset, "Scratchpad", false, false});
    }

    emulator_options options_;
    std::map<std::string, std::size_t, std::less<>> counts_;
    std::map<std::string, std::deque<std::pair<fault, std::size_t>>, std::less<>> faults_;
};

} // namespace pbi::testing::detail
