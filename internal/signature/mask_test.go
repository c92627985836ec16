package signature

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// normalizeLine is the masker on one line, as the key lines use it.
func normalizeLine(s string) string {
	var m masker
	return string(m.line(nil, s))
}

func TestNormalizeLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "hex addresses are one placeholder",
			in:   "<Future at 0x1dc452a8468 state=running> <Future at 0x1dc45820740> <Future at 0x1dc452a8468>",
			want: "<Future at <HEX> state=running> <Future at <HEX>> <Future at <HEX>>",
		},
		{
			name: "addresses with ports",
			in:   "read tcp 127.0.0.1:34022->127.0.0.1:41658: from 127.0.0.1:41658",
			want: "read tcp <ADDR>-><ADDR>: from <ADDR>",
		},
		{
			name: "counts and pids are masked",
			in:   "handler ran 21 times; want 20 (pid 4242)",
			want: "handler ran <N> times; want <N> (pid <N>)",
		},
		{
			name: "digits inside identifiers are kept",
			in:   "test_start_tls_server_1 sha256 x86_64 TestServerKeepAlivesEnabled_h2",
			want: "test_start_tls_server_1 sha256 x86_64 TestServerKeepAlivesEnabled_h2",
		},
		{
			name: "ISO timestamp",
			in:   "2023-09-15T10:59:33.9141361Z panic: boom",
			want: "<TS> panic: boom",
		},
		{
			name: "logging timestamp with a space and a comma",
			in:   "'2024-03-07 08:26:34,002 testing1 0\\n'",
			want: "'<TS> testing1 <N>\\n'",
		},
		{
			name: "Go log timestamp",
			in:   "2016/11/23 21:53:28 http: TLS handshake error",
			want: "<TS> http: TLS handshake error",
		},
		{
			name: "durations",
			in:   "--- FAIL: TestX (0.59s) after 10m0s, 1.5ms and 3µs",
			want: "--- FAIL: TestX (<DUR>) after <DUR>, <DUR> and <DUR>",
		},
		{
			name: "UUID",
			in:   "job 018e344d-9e66-48bc-a5a5-42caa8fc5016 lost",
			want: "job <UUID> lost",
		},
		{
			name: "commit hash",
			in:   "at f0749da9a535375f05a2015e8960e8ae54877349 and ea32e747",
			want: "at <HEX> and <HEX>",
		},
		{
			name: "POSIX path keeps the basename and drops the line",
			in:   `File "/home/buildbot/buildarea/3.x.bolen/build/Lib/test/test_asyncio/test_sslproto.py", line 412`,
			want: `File "test_sslproto.py", line <N>`,
		},
		{
			name: "Windows path reads like the POSIX one",
			in:   `File "D:\buildarea\3.x.bolen-windows10\build\Lib\test\test_asyncio\test_sslproto.py", line 413`,
			want: `File "test_sslproto.py", line <N>`,
		},
		{
			name: "Go frame location",
			in:   "\t/opt/hostedtoolcache/go/1.20.6/x64/src/testing/testing.go:1630 +0x82e",
			want: "testing.go +<HEX>",
		},
		{
			name: "Windows drive with forward slashes",
			in:   "C:/hostedtoolcache/windows/go/1.20.7/x64/src/testing/testing.go:2241 +0x3c5",
			want: "testing.go +<HEX>",
		},
		{
			name: "temporary names are masked",
			in:   "open /tmp/tmpk2j3h4_x: no such file; read unixgram /tmp/go-nettest180765192: i/o timeout",
			want: "open <TMP> no such file; read unixgram go-nettest-<N> i/o timeout",
		},
		{
			name: "a slash in prose is not a path",
			in:   "dial tcp: i/o timeout in net/http read/write",
			want: "dial tcp: i/o timeout in net/http read/write",
		},
		{
			name: "escapes in a repr are not Windows paths",
			in:   `expected "OK\n", but got "using too much memory: 39882752 bytes\n"`,
			want: `expected "OK\n", but got "using too much memory: <N> bytes\n"`,
		},
		{
			name: "numbers are not numbered by equality",
			in:   "ideally 5 but got 5, ideally 7 but got 9",
			want: "ideally <N> but got <N>, ideally <N> but got <N>",
		},
		{
			name: "looked-up hosts and their resolver",
			in:   "lookup www.golang.org on 10.255.255.53:53: no such host; lookup 8.8.8.8: no such host",
			want: "lookup <HOST>: no such host; lookup <HOST>: no such host",
		},
		{
			name: "URLs, IPv6 addresses and ports",
			in:   `Get "http://127.0.0.1:41234/x?y=1": EOF from [::1]:8080 on localhost:9000 and :443`,
			want: `Get "<URL>": EOF from <ADDR> on localhost:<PORT> and :<PORT>`,
		},
		{
			name: "generated tokens, but not names ending in a number",
			in:   "Fetching LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0 for test_start_tls_server_10 and TestServerKeepAlives2",
			want: "Fetching <ID> for test_start_tls_server_10 and TestServerKeepAlives2",
		},
		{
			name: "blank runs collapse and control bytes are replaced",
			in:   "a \t\t b\x00c",
			want: "a b?c",
		},
		{
			name: "placeholders survive a second pass",
			in:   "<N>:<PORT> <HEX> <ADDR> <TS> <DUR> <TMP> <URL> <HOST> <UUID> <ID>",
			want: "<N>:<PORT> <HEX> <ADDR> <TS> <DUR> <TMP> <URL> <HOST> <UUID> <ID>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, normalizeLine(tt.in)); diff != "" {
				t.Errorf("normalizeLine(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNormalizeLineBounded(t *testing.T) {
	got := normalizeLine(strings.Repeat("1 ", 10000))
	if max := maxLine; len(got) > max {
		t.Errorf("normalized a long line into %d bytes; want at most %d", len(got), max)
	}
}

func TestStripPrefix(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "GitHub Actions", in: "2023-09-15T10:59:33.9141361Z   File \"x.py\"", want: "  File \"x.py\""},
		{name: "open build service", in: "[ 6080s]   File \"x.py\"", want: "  File \"x.py\""},
		{name: "bracketed timestamp", in: "[2020-06-04T08:02:36.153Z] Value of: x", want: "Value of: x"},
		{name: "regrtest progress", in: "0:14:01 load avg: 2.96 [1/1/1] test_x failed", want: "test_x failed"},
		{name: "tag then timestamp", in: "2020-08-13T15:20:37.5Z [net46 ironpython]  AssertionError: x", want: " AssertionError: x"},
		{name: "prefix alone", in: "2023-09-15T10:59:33.9142344Z", want: ""},
		{name: "Go signal line is content", in: "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0]", want: "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0]"},
		{name: "plain line", in: "AssertionError: 1 != 2", want: "AssertionError: 1 != 2"},
		{name: "syslog stamp", in: "Oct 31 06:27:59 E       AssertionError: x", want: "E       AssertionError: x"},
		{name: "syslog stamp alone", in: "Oct 31 06:27:59", want: ""},
		{name: "docker compose service", in: "mysql-cdc-materialized-1  | thread 'main' panicked at x.rs:1:2:", want: "thread 'main' panicked at x.rs:1:2:"},
		{name: "docker compose in an indented paste", in: "    web-1  | panic: boom", want: "panic: boom"},
		{name: "a table row is content", in: "severity | crashed", want: "severity | crashed"},
		{name: "quoted in an issue", in: ">   File \"x.py\", line 3", want: "  File \"x.py\", line 3"},
		{name: "randomized testing margin", in: "   > Throwable #1: java.lang.AssertionError: ", want: "Throwable #1: java.lang.AssertionError: "},
		{name: "GoogleTest tag is content", in: "[ RUN      ] Adder.Flakily", want: "[ RUN      ] Adder.Flakily"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, stripPrefix(tt.in)); diff != "" {
				t.Errorf("stripPrefix(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
