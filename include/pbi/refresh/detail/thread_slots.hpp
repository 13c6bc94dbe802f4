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
    std::uint64_t version = 0;
    const void* value = nullptr;      ///< null when that version holds no usable value
    std::shared_ptr<const void> keep; ///< per-thread owning handle of `value`
    std::weak_ptr<const void> owner;  ///< the cache's state: lets dead caches' slots be pruned
};

/// The slot this thread used last, as plain data: reading it needs no thread_local
/// initialisation guard, so the hot path is two loads and two compares.
struct front_slot {
    std::uint64_t source_id; ///< never reused, never an address; 0 = none
    std::uint64_t version;
    const void* value;
    thread_slot* slot; ///< the owning slot in this thread's map (node pointers are stable)
};

inline constinit thread_local front_slot front{0, 0, nullptr, nullptr};

/// All of this thread's slots, keyed by source id.
struct thread_slots {
    std::unordered_map<std::uint64_t, thread_slot> by_source;
    std::size_t prune_at = 64;

    thread_slot& slot_for(std::uint64_t id) {
        if (by_source.size() >= prune_at)
            prune();
        return by_source[id];
    }

    /// Drops slots of caches that no longer exist (a host that creates and evicts many caches).
    void prune() {
        for (auto it = by_source.begin(); it != by_source.end();) {
            if (it->second.owner.expired()) {
                if (front.slot == &it->second)
                    front = front_slot{0, 0, nullptr, nullptr};
                it = by_source.erase(it);
            } else {
                ++it;
            }
        }
        prune_at = std::max<std::size_t>(64, by_source.size() * 2);
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
