// pbi-async — a caller waiting for a refreshing cache's fetch, with its handler type erased.
#pragma once

#include <pbi/diagnostics.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>

#include <list>
#include <memory>
#include <system_error>
#include <utility>

namespace pbi::refresh::detail {

template <class Handle, class TimePoint>
struct cache_waiter {
    virtual ~cache_waiter() = default;
    /// Delivers the result through the handler's executor (posted, never inline).
    virtual void complete(std::error_code ec, Handle value, const diagnostics* diag) = 0;

    TimePoint deadline;
    typename TimePoint::duration min_remaining{};
    bool done = false;
    typename std::list<std::shared_ptr<cache_waiter>>::iterator position;
};

template <class Handle, class TimePoint, class Handler>
class cache_waiter_for final : public cache_waiter<Handle, TimePoint> {
public:
    cache_waiter_for(Handler h, const asio::any_io_executor& fallback, diagnostics* diag)
        : handler_(std::move(h)), work_(asio::prefer(asio::get_associated_executor(handler_, fallback),
                                                     asio::execution::outstanding_work.tracked)),
          diag_(diag) {}

    void complete(std::error_code ec, Handle value, const diagnostics* diag) override {
        diagnostics copy = diag ? *diag : diagnostics{};
        auto ex = asio::get_associated_executor(handler_, work_);
        auto deliver = [h = std::move(handler_), ec, v = std::move(value), d = std::move(copy), out = diag_,
                        work = std::move(work_)]() mutable {
            if (out)
                *out = std::move(d);
            std::move(h)(ec, std::move(v));
        };
        asio::post(ex, std::move(deliver));
    }

    Handler& handler() noexcept { return handler_; }

private:
    Handler handler_;
    asio::any_io_executor work_; // keeps the handler's executor from running out of work
    diagnostics* diag_;
};

} // namespace pbi::refresh::detail
