// pbi-async — result<T>: an error code and a value, the return type of the SDK's internal
// coroutines (`auto [ec, value] = co_await ...`). Errors are values, not exceptions.
#pragma once

#include <system_error>

namespace pbi {

template <class T>
struct result {
    std::error_code ec;
    T value{};
};

} // namespace pbi
