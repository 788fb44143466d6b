// The C library of the platform, imported once here; other modules that need POSIX calls import CvatSystem and
// use the wrappers below, so the `canImport` ladder exists in one file.
#if canImport(Glibc)
    @_exported public import Glibc
#elseif canImport(Musl)
    @_exported public import Musl
#elseif canImport(Darwin)
    @_exported public import Darwin
#endif
