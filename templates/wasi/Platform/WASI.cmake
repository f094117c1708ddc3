# CMake (3.25) has no WASI platform module. WASI behaves like a static-only Unix for
# the builds this tool runs (libc++ and LLVM), so say so: LLVM then takes its Unix
# code paths, which the generated LLVM porting patches adapt to WASI. Shared-library
# targets may still be declared (libc++ declares them) but are never built.
set(WASI 1)
set(UNIX 1)
set(CMAKE_STATIC_LIBRARY_PREFIX "lib")
set(CMAKE_STATIC_LIBRARY_SUFFIX ".a")
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
set(CMAKE_FIND_LIBRARY_PREFIXES "lib")
set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")
include(Platform/UnixPaths)
