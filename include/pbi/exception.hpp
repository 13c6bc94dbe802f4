// pbi-async — pbi::error, the exception thrown by the awaitable overloads that take no
// diagnostics argument. Carries both the error code and the diagnostics.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/error.hpp>

#include <system_error>
#include <utility>

namespace pbi {

class error : public std::system_error {
public:
    error(std::error_code ec, diagnostics diag)
        : std::system_error(ec, diag.message.empty() ? ec.message() : diag.message), diag_(std::move(diag)) {}

    const diagnostics& get_diagnostics() const noexcept { return diag_; }

private:
    diagnostics diag_;
};

} // namespace pbi
