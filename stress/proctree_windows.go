package stress

import (
	"fmt"
	"os/exec"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows a run's tree is a Job object. Every process the command starts
// joins its job and stays in it when its parent exits, which is what
// taskkill /T misses: it walks parent pids, and an orphan's parent is gone.
// Closing the job kills all of it (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE),
// so even a crash of triaged, which closes its handles, leaves nothing.
//
// The command starts suspended and resumes only once it is in the job, so
// it cannot start a child outside it.
type procTree struct {
	job      windows.Handle
	process  windows.Handle // the command, opened by us: exec keeps its own
	watching chan struct{}
}

// ntResumeProcess resumes every thread of a process. exec closes the
// handle of the main thread that CreateProcess returns, so this is the way
// to resume a process started suspended without walking its threads.
// Like the bindings of x/sys/windows it is a package-level lazy proc.
var ntResumeProcess = windows.NewLazySystemDLL("ntdll.dll").NewProc("NtResumeProcess")

func newProcTree() (*procTree, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("create job object: %w", err)
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{
		BasicLimitInformation: windows.JOBOBJECT_BASIC_LIMIT_INFORMATION{LimitFlags: windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE},
	}
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation, uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		windows.CloseHandle(job)
		return nil, fmt.Errorf("make the job kill its processes when closed: %w", err)
	}
	return &procTree{job: job}, nil
}

func (t *procTree) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP | windows.CREATE_SUSPENDED}
	cmd.Cancel = func() error {
		err := windows.TerminateJobObject(t.job, 1)
		// Cancelled before started put it in the job, the command is
		// still suspended: killing it is enough.
		cmd.Process.Kill()
		return err
	}
}

// started puts the command in the job, resumes it, and watches for its
// exit to kill what it leaves behind at once: a process holding its output
// pipes would otherwise make Wait sit out WaitDelay.
func (t *procTree) started(cmd *exec.Cmd) error {
	// exec holds a handle to the process, so its pid cannot be reused yet.
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE|windows.PROCESS_SUSPEND_RESUME|windows.SYNCHRONIZE, false, uint32(cmd.Process.Pid))
	if err != nil {
		cmd.Process.Kill()
		return fmt.Errorf("open the command's process: %w", err)
	}
	if err := windows.AssignProcessToJobObject(t.job, h); err != nil {
		windows.TerminateProcess(h, 1)
		windows.CloseHandle(h)
		return fmt.Errorf("put the command in a job object: %w", err)
	}
	t.process = h
	if r, _, _ := ntResumeProcess.Call(uintptr(h)); r != 0 {
		windows.TerminateJobObject(t.job, 1)
		return fmt.Errorf("resume the command: NtResumeProcess: %w", windows.NTStatus(r))
	}
	t.watching = make(chan struct{})
	go func() {
		defer close(t.watching)
		windows.WaitForSingleObject(h, windows.INFINITE)
		windows.TerminateJobObject(t.job, 1)
	}()
	return nil
}

func (t *procTree) close() error {
	if t.watching != nil {
		<-t.watching
	}
	defer func() {
		if t.process != 0 {
			windows.CloseHandle(t.process)
		}
		windows.CloseHandle(t.job) // kills whatever is left in it
	}()
	if err := windows.TerminateJobObject(t.job, 1); err != nil {
		return fmt.Errorf("kill the command's processes: %w", err)
	}
	// Termination is asynchronous: wait until the job is empty, so a run
	// ends with its processes gone.
	deadline := time.Now().Add(killWait)
	for {
		active, err := t.active()
		if err != nil || active == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d processes of the command survived for %v", active, killWait)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// active returns how many processes the job holds.
func (t *procTree) active() (uint32, error) {
	// JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, which x/sys/windows lacks.
	var info struct {
		TotalUserTime, TotalKernelTime, ThisPeriodTotalUserTime, ThisPeriodTotalKernelTime int64
		TotalPageFaultCount, TotalProcesses, ActiveProcesses, TotalTerminatedProcesses     uint32
	}
	err := windows.QueryInformationJobObject(t.job, windows.JobObjectBasicAccountingInformation, uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)), nil)
	return info.ActiveProcesses, err
}
