// pbi-async — bodies of <pbi/testing/emulator.hpp>.
#pragma once

#include <pbi/testing/detail/emulator_server.hpp>
#include <pbi/testing/emulator.hpp>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <exception>
#include <mutex>
#include <thread>

namespace pbi::testing {

struct emulator::runner {
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
};

PBI_DECL emulator::emulator(emulator_options options) : runner_(std::make_unique<runner>()) {
    server_ = std::make_shared<detail::emulator_server>(runner_->io.get_executor(), std::move(options));
    server_->start();
    runner_->thread = std::thread([r = runner_.get()] {
        for (;;) {
            try {
                r->io.run();
                return;
            } catch (const std::exception&) { // a handler threw: keep serving
            }
        }
    });
}

PBI_DECL emulator::emulator(asio::any_io_executor ex, emulator_options options)
    : server_(std::make_shared<detail::emulator_server>(std::move(ex), std::move(options))) {
    server_->start();
}

PBI_DECL emulator::~emulator() {
    stop();
    if (runner_) {
        runner_->work.reset();
        if (runner_->thread.joinable()) {
            runner_->thread.join();
        }
    }
    server_.reset(); // before the io_context its sockets belong to
    runner_.reset();
}

PBI_DECL void emulator::stop() {
    server_->stop();
}

PBI_DECL std::uint16_t emulator::port() const {
    return server_->port();
}

PBI_DECL std::string emulator::origin() const {
    return server_->state().origin;
}

PBI_DECL const std::string& emulator::ca_pem() const {
    return server_->ca_pem();
}

PBI_DECL const emulator_options& emulator::options() const {
    return server_->state().options();
}

PBI_DECL std::size_t emulator::request_count(std::string_view route) const {
    return server_->state().request_count(route);
}

PBI_DECL std::size_t emulator::connection_count() const {
    return server_->state().connections.load();
}

PBI_DECL void emulator::inject_fault(std::string_view route, fault f, std::size_t times) {
    server_->state().inject_fault(route, std::move(f), times);
}

PBI_DECL void emulator::clear_faults() {
    server_->state().clear_faults();
}

PBI_DECL void emulator::expire_all_tokens() {
    server_->state().expire_all_tokens();
}

PBI_DECL void emulator::revoke_refresh_tokens() {
    server_->state().revoke_refresh_tokens();
}

PBI_DECL std::size_t emulator::issued_token_count() const {
    auto& st = server_->state();
    std::lock_guard lock(st.mutex);
    return st.access_tokens.size();
}

PBI_DECL std::vector<emulator::workspace_info> emulator::workspaces() const {
    auto& st = server_->state();
    std::lock_guard lock(st.mutex);
    return st.workspaces;
}

PBI_DECL void emulator::add_workspace(workspace_info ws) {
    server_->state().add_workspace(std::move(ws));
}

PBI_DECL std::vector<emulator::report_info> emulator::my_workspace_reports() const {
    auto& st = server_->state();
    std::lock_guard lock(st.mutex);
    return st.my_reports;
}

PBI_DECL void emulator::add_my_workspace_report(report_info report) {
    server_->state().add_my_report(std::move(report));
}

PBI_DECL void emulator::script_export(std::vector<export_step> steps) {
    auto& st = server_->state();
    std::lock_guard lock(st.mutex);
    st.exports.scripts.push_back(std::move(steps));
}

PBI_DECL void emulator::clear_export_scripts() {
    auto& st = server_->state();
    std::lock_guard lock(st.mutex);
    st.exports.scripts.clear();
}

} // namespace pbi::testing
