// pbi-async — adapters from the SDK's internal coroutines (which return result<T>) to the
// completion-token surface every public operation offers.
#pragma once

#include <pbi/diagnostics.hpp>
#include <pbi/error.hpp>
#include <pbi/exception.hpp>
#include <pbi/result.hpp>

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>
#include <asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

namespace pbi::detail {

// Internal coroutines report failures as values; anything thrown is a bug or resource
// exhaustion, and still becomes an error code rather than escaping into io_context::run.
inline std::error_code code_from_exception(std::exception_ptr e) noexcept {
    try {
        std::rethrow_exception(e);
    } catch (const std::system_error& se) {
        return se.code();
    } catch (const std::bad_alloc&) {
        return std::make_error_code(std::errc::not_enough_memory);
    } catch (...) {
        return std::make_error_code(std::errc::state_not_recoverable);
    }
}

template <class T>
struct is_diagnostics : std::is_same<std::remove_cvref_t<T>, diagnostics> {};

/// Runs `op(diag)` (returning asio::awaitable<result<T>>) on `ex` and completes `token` with
/// void(std::error_code, T). The handler's cancellation slot reaches the coroutine; the
/// completion is delivered through the handler's associated executor, never inline.
template <class T, class Op, class CompletionToken>
auto async_run(asio::any_io_executor ex, Op op, diagnostics& diag, CompletionToken&& token) {
    auto initiation = [ex](auto handler, std::shared_ptr<Op> op, diagnostics* d) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto handler_ex = asio::get_associated_executor(handler, ex);
        auto complete = [h = std::move(handler), handler_ex](std::exception_ptr e, result<T> r) mutable {
            if (e)
                r = result<T>{code_from_exception(e), T{}};
            auto deliver = [h = std::move(h), r = std::move(r)]() mutable {
                std::move(h)(r.ec, std::move(r.value));
            };
            asio::dispatch(handler_ex, std::move(deliver));
        };
        asio::co_spawn(ex, (*op)(*d), asio::bind_cancellation_slot(slot, std::move(complete)));
    };
    // The operation travels behind a pointer: with g++ 12, a closure holding short strings,
    // passed by value through use_awaitable's initiation, came out with dangling string buffers.
    return asio::async_initiate<CompletionToken, void(std::error_code, T)>(
        std::move(initiation), token, std::make_shared<Op>(std::move(op)), &diag);
}

template <class T, class Op>
asio::awaitable<T> throw_on_error(Op op) {
    diagnostics d;
    auto r = co_await op(d);
    if (r.ec)
        throw pbi::error(r.ec, std::move(d));
    co_return std::move(r.value);
}

/// Runs `op` with its own diagnostics and completes `token` with
/// void(std::exception_ptr, T); the exception is a pbi::error carrying code and diagnostics,
/// so `co_await x.async_something()` throws pbi::error.
template <class T, class Op, class CompletionToken>
auto async_run_throwing(asio::any_io_executor ex, Op op, CompletionToken&& token) {
    return asio::co_spawn(ex, throw_on_error<T>(std::move(op)), std::forward<CompletionToken>(token));
}

} // namespace pbi::detail
