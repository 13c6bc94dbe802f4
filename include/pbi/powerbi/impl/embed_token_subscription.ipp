// Bodies for pbi/powerbi/embed_token_subscription.hpp.
#pragma once

#include <pbi/powerbi/embed_token_subscription.hpp>

#include <asio/post.hpp>

#include <algorithm>
#include <exception>

namespace pbi::powerbi::detail {

// --- embed_token_hub

PBI_DECL embed_token_hub::embed_token_hub(std::function<embed_token_handle()> current, std::int64_t (*now)())
    : current_(std::move(current)), now_(now) {
    touch();
}

PBI_DECL void embed_token_hub::attach(std::shared_ptr<embed_token_mailbox> box) {
    std::unique_lock lock(mutex_);
    if (closed_) {
        lock.unlock();
        box->close();
        return;
    }
    boxes_.push_back(box);
    // Read under this lock, like publish_current(): a box never sees an older token after a newer one.
    auto token = current_ ? current_() : nullptr;
    if (!token)
        return;
    if (token != published_) {
        published_ = token;
        for (auto& b : boxes_)
            b->offer(token);
    } else {
        box->offer(token);
    }
}

PBI_DECL void embed_token_hub::detach(const std::shared_ptr<embed_token_mailbox>& box) noexcept {
    {
        std::lock_guard lock(mutex_);
        auto it = std::find(boxes_.begin(), boxes_.end(), box);
        if (it != boxes_.end()) {
            boxes_.erase(it);
            // Used until now: idle eviction counts two lifetimes from here. Stored before the count
            // drops, so whoever sees no subscriber also sees this time.
            touch();
            subscribers.fetch_sub(1);
        }
    }
    box->close();
}

PBI_DECL void embed_token_hub::publish_current() {
    std::lock_guard lock(mutex_);
    if (boxes_.empty() || !current_) // nobody listens: do not even read the cache
        return;
    auto token = current_();
    if (!token || token == published_)
        return;
    published_ = token;
    for (auto& b : boxes_)
        b->offer(token);
}

PBI_DECL void embed_token_hub::close() noexcept {
    std::vector<std::shared_ptr<embed_token_mailbox>> boxes;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        current_ = nullptr;
        published_.reset();
        boxes.swap(boxes_);
    }
    for (auto& b : boxes)
        b->close();
}

PBI_DECL bool embed_token_hub::closed() const noexcept {
    std::lock_guard lock(mutex_);
    return closed_;
}

// --- embed_token_callback_box

PBI_DECL embed_token_callback_box::embed_token_callback_box(asio::any_io_executor ex,
                                                            std::function<void(embed_token_handle)> on_token)
    : ex_(std::move(ex)), on_token_(std::move(on_token)) {}

PBI_DECL void embed_token_callback_box::offer(const embed_token_handle& token) {
    std::lock_guard lock(mutex_);
    if (closed_)
        return;
    pending_ = token; // replaces a token still waiting for delivery
    if (scheduled_)
        return;
    scheduled_ = true;
    asio::post(ex_, [self = shared_from_this()] { self->deliver(); });
}

PBI_DECL void embed_token_callback_box::deliver() {
    std::unique_lock lock(mutex_);
    if (closed_ || !pending_ || !on_token_) {
        scheduled_ = false;
        return;
    }
    auto token = std::move(pending_);
    pending_.reset();
    running_ = std::this_thread::get_id();
    lock.unlock();
    std::exception_ptr error;
    try {
        on_token_(std::move(token));
    } catch (...) {
        error = std::current_exception();
    }
    lock.lock();
    running_ = std::thread::id{};
    idle_.notify_all();
    if (closed_) {
        on_token_ = nullptr; // release what the callback captured
        scheduled_ = false;
    } else if (pending_) { // a newer token arrived meanwhile: deliver it, after the others in line
        asio::post(ex_, [self = shared_from_this()] { self->deliver(); });
    } else {
        scheduled_ = false;
    }
    lock.unlock();
    if (error)
        std::rethrow_exception(error); // like any handler's exception: out of io_context::run()
}

PBI_DECL void embed_token_callback_box::close() noexcept {
    std::unique_lock lock(mutex_);
    closed_ = true;
    pending_.reset();
    const auto self = std::this_thread::get_id();
    if (running_ != std::thread::id{} && running_ != self)
        idle_.wait(lock, [&] { return running_ == std::thread::id{}; });
    if (running_ == std::thread::id{})
        on_token_ = nullptr;
}

// --- embed_token_stream_box

PBI_DECL void embed_token_stream_box::offer(const embed_token_handle& token) {
    std::lock_guard lock(mutex_);
    if (closed_)
        return;
    latest_ = token;
    if (waiter_) {
        auto w = std::move(waiter_);
        waiter_.reset();
        unseen_ = false;
        w->complete({}, latest_, nullptr); // posted, never inline
    } else {
        unseen_ = true;
    }
}

PBI_DECL void embed_token_stream_box::close() noexcept {
    std::lock_guard lock(mutex_);
    closed_ = true;
    unseen_ = false;
    latest_.reset();
    if (waiter_) {
        auto w = std::move(waiter_);
        waiter_.reset();
        w->complete(asio::error::operation_aborted, nullptr, nullptr);
    }
}

PBI_DECL embed_token_handle embed_token_stream_box::try_take() {
    std::lock_guard lock(mutex_);
    if (closed_ || !unseen_)
        return nullptr;
    unseen_ = false;
    return latest_;
}

PBI_DECL void embed_token_stream_box::cancel_waiter(const waiter* w) {
    std::lock_guard lock(mutex_);
    if (!waiter_ || waiter_.get() != w)
        return;
    auto mine = std::move(waiter_);
    waiter_.reset();
    mine->complete(asio::error::operation_aborted, nullptr, nullptr);
}

} // namespace pbi::powerbi::detail
