// The one translation unit that compiles the SDK's bodies under PBI_SEPARATE_COMPILATION.
#include <pbi/src.hpp>
