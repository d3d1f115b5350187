{
  "targets": [
    {
      "target_name": "portsyncd_netlink",
      "sources": ["netlink.c", "memory.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"]
    }
  ]
}
