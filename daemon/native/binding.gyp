{
  "targets": [
    {
      "target_name": "portsyncd_netlink",
      "sources": ["netlink.c", "memory.c", "lane.c"],
      "libraries": ["-pthread"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11", "-pthread"]
    }
  ]
}
