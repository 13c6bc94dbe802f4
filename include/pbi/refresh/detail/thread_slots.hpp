// pbi-async — per-thread views of cached values: the state that lets try_get() read a value
// without a lock, without reading the clock and without writing a shared cache line.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace pbi::refresh::detail {

/// One thread's view of one cache: the version it last saw, the value of that version, and an
/// owning handle whose control block belongs to this thread alone (copies of it never touch a
/// cache line another thread writes).
struct thread_slot {
    std::uint64_t source_id = 0; ///< never reused, never an address
    std::uint64_t version = 0;
    const void* value = nullptr;      ///< null when that version holds no usable value
    std::shared_ptr<const void> keep; ///< per-thread owning handle of `value`
    std::weak_ptr<const void> owner;  ///< the cache's state: lets dead caches' slots be pruned
    std::uint32_t unflushed_hits = 0; ///< hits counted here, added to the shared counter in batches
};

/// All of this thread's slots: the most recently used one in front (the hot path compares two
/// integers), the rest in a map keyed by source id.
struct thread_slots {
    thread_slot front;
    std::unordered_map<std::uint64_t, thread_slot> others;
    std::size_t prune_at = 64;

    /// The slot for `id`, moved to the front.
    thread_slot& bring_to_front(std::uint64_t id) {
        if (front.source_id == id)
            return front;
        thread_slot found;
        if (auto it = others.find(id); it != others.end()) {
            found = std::move(it->second);
            others.erase(it);
        } else {
            found.source_id = id;
        }
        if (front.source_id != 0)
            others.emplace(front.source_id, std::move(front));
        front = std::move(found);
        if (others.size() >= prune_at)
            prune();
        return front;
    }

    /// Drops slots of caches that no longer exist (a host that creates and evicts many caches).
    void prune() {
        for (auto it = others.begin(); it != others.end();)
            it = it->second.owner.expired() ? others.erase(it) : std::next(it);
        prune_at = std::max<std::size_t>(64, others.size() * 2);
    }
};

inline thread_slots& this_thread_slots() noexcept {
    thread_local thread_slots slots;
    return slots;
}

/// Source ids start at 1 and are never reused within a process.
inline std::uint64_t next_source_id() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

} // namespace pbi::refresh::detail
