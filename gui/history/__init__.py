"""The history bar: scrub back through a run's past iterations and resume from one."""
