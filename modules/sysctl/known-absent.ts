// Keys that tuning guides keep recommending but that current Linux kernels do not have, with what
// to do instead. Used to make the "does not exist" error actionable.

export const absentKeyHints: Record<string, string> = {
  'net.netlink.max_recvbuf_size':
    'Linux has no such sysctl: a netlink socket buffer is capped by net.core.rmem_max (SO_RCVBUF) or set past it with SO_RCVBUFFORCE',
  'net.ipv4.tcp_delack_min': 'mainline Linux has no such sysctl (it was a vendor patch); use the TCP_QUICKACK socket option instead',
  'net.ipv4.tcp_backlog':
    'Linux has no such sysctl: the accept queue is capped by net.core.somaxconn, the SYN queue by net.ipv4.tcp_max_syn_backlog',
  'kernel.irq_gq_threshold': 'Linux has no such sysctl',
  'kernel.sched_migration_cost_ns': 'moved to debugfs (/sys/kernel/debug/sched/migration_cost_ns) in Linux 5.13',
  'kernel.sched_min_granularity_ns':
    'moved to debugfs in Linux 5.13 and removed with the EEVDF scheduler in 6.6 (see /sys/kernel/debug/sched/base_slice_ns)',
  'kernel.sched_wakeup_granularity_ns': 'moved to debugfs in Linux 5.13 and removed with the EEVDF scheduler in 6.6',
};

/** Keys no Linux kernel ever had: refused before any host is read, offline roots included. */
export const neverInLinux = new Set([
  'net.netlink.max_recvbuf_size',
  'net.ipv4.tcp_delack_min',
  'net.ipv4.tcp_backlog',
  'kernel.irq_gq_threshold',
]);
