// Precompiled header for the project's own builds (not installed API; users may use it too).
#pragma once
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <boost/json.hpp>
