// Package iocp is the Windows proactor backend: a Port over its own
// overlapped socket (WSASocket with WSA_FLAG_OVERLAPPED; sockets made by
// Go's net package already belong to the runtime's completion port),
// associated with a private I/O completion port, using overlapped
// WSARecv/WSASend, CancelIoEx and GetQueuedCompletionStatusEx. It is where
// bpo-33694 really happens: CancelIoEx on a receive that already completed
// fails with ERROR_NOT_FOUND while the completion, data and all, is still
// queued.
//
// The package is empty on other systems; its tests there build the Windows
// test binary and run it under Wine (see .ci/wine-setup.sh).
package iocp
