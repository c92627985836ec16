//go:build windows

package iocp

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// overlappedEntry is OVERLAPPED_ENTRY, which x/sys/windows does not define.
type overlappedEntry struct {
	key        uintptr
	overlapped *windows.Overlapped
	internal   uintptr
	bytes      uint32
}

// GetQueuedCompletionStatusEx is not wrapped by x/sys/windows v0.50.0.
var procGetQueuedCompletionStatusEx = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetQueuedCompletionStatusEx")

func getQueuedCompletionStatusEx(port windows.Handle, entries []overlappedEntry, timeout uint32) (int, error) {
	var n uint32
	r, _, err := procGetQueuedCompletionStatusEx.Call(uintptr(port),
		uintptr(unsafe.Pointer(&entries[0])), uintptr(len(entries)),
		uintptr(unsafe.Pointer(&n)), uintptr(timeout), 0)
	if r == 0 {
		return 0, err
	}
	return int(n), nil
}

var (
	wsaOnce sync.Once
	wsaErr  error
)

// wsaStartup makes sure Winsock is initialised even in a program that has
// not touched Go's net package yet.
func wsaStartup() error {
	wsaOnce.Do(func() {
		var d windows.WSAData
		wsaErr = windows.WSAStartup(uint32(0x202), &d)
	})
	return wsaErr
}
