package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/triaged/triaged/internal/config"
)

// serviceName is the Windows service the runner installs as.
const serviceName = "triaged-runner"

// runRunnerService manages the runner as a Windows service: install (with
// the runner flags that follow), uninstall, start, stop.
func runRunnerService(ctx context.Context, io stdio, args []string) error {
	if len(args) == 0 {
		return config.Usagef("runner service: want install, uninstall, start or stop")
	}
	switch args[0] {
	case "install":
		if _, err := parseRunnerFlags(io, args[1:]); err != nil {
			return err
		}
		return installService(args[1:])
	case "uninstall":
		return withService(func(s *mgr.Service) error {
			if err := stopService(s); err != nil {
				return err
			}
			eventlog.Remove(serviceName)
			if err := s.Delete(); err != nil {
				return fmt.Errorf("remove service %s: %w", serviceName, err)
			}
			return nil
		})
	case "start":
		return withService(func(s *mgr.Service) error {
			// The service starts automatically with the service manager, so
			// it may be running already: that is what start asks for.
			if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
				return fmt.Errorf("start service %s: %w", serviceName, err)
			}
			return nil
		})
	case "stop":
		return withService(stopService)
	case "run":
		// What the service control manager starts.
		f, err := parseRunnerFlags(io, args[1:])
		if err != nil {
			return err
		}
		return svc.Run(serviceName, &service{flags: f})
	}
	return config.Usagef("runner service: unknown action %q", args[0])
}

func installService(runnerArgs []string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager (run as Administrator): %w", err)
	}
	defer m.Disconnect()
	args := append([]string{"runner", "service", "run"}, runnerArgs...)
	s, err := m.CreateService(serviceName, exe, mgr.Config{
		DisplayName: "triaged runner",
		Description: "Leases and runs flaky-test stress jobs for a triaged server.",
		StartType:   mgr.StartAutomatic,
	}, args...)
	if err != nil {
		return fmt.Errorf("install service %s: %w", serviceName, err)
	}
	defer s.Close()
	eventlog.InstallAsEventCreate(serviceName, eventlog.Error|eventlog.Warning|eventlog.Info)
	return nil
}

func withService(fn func(*mgr.Service) error) error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager (run as Administrator): %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(serviceName)
	if err != nil {
		return fmt.Errorf("service %s: %w", serviceName, err)
	}
	defer s.Close()
	return fn(s)
}

// stopService asks the service to stop and waits until it has, as long as
// it may take to finish or abandon its iteration and release its lease. A
// service that is not running is already what stop asks for.
func stopService(s *mgr.Service) error {
	st, err := s.Control(svc.Stop)
	switch {
	case errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE):
		return nil
	case err != nil:
		return fmt.Errorf("stop service %s: %w", serviceName, err)
	}
	deadline := time.Now().Add(gracePeriodHint + 10*time.Second)
	for st.State != svc.Stopped {
		if time.Now().After(deadline) {
			return fmt.Errorf("service %s did not stop within %s (state %d); see runner.log in its state directory",
				serviceName, gracePeriodHint+10*time.Second, st.State)
		}
		time.Sleep(200 * time.Millisecond)
		if st, err = s.Query(); err != nil {
			return fmt.Errorf("query service %s: %w", serviceName, err)
		}
	}
	return nil
}

// service runs the agent under the service control manager and stops it
// cleanly (finish or abandon the iteration, upload, release the lease) on
// Stop or Shutdown.
type service struct{ flags runnerFlags }

func (s *service) Execute(_ []string, req <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logFile, err := os.OpenFile(s.flags.stateDir+`\runner.log`, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return true, 1
	}
	defer logFile.Close()
	done := make(chan error, 1)
	go func() { done <- runAgent(ctx, s.flags, slog.New(slog.NewTextHandler(logFile, nil))) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			if err != nil {
				return true, 2
			}
			return false, 0
		case c := <-req:
			switch c.Cmd {
			case svc.Interrogate:
				status <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending, WaitHint: uint32((gracePeriodHint + 5*time.Second) / time.Millisecond)}
				cancel()
			}
		}
	}
}

// gracePeriodHint is how long the agent may take to stop cleanly.
const gracePeriodHint = 15 * time.Second
