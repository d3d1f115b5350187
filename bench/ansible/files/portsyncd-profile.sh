# Installed by the fleet tuning playbook: interactive shells show that this switch runs portsyncd.
case $- in
  *i*) PS1="[portsyncd] $PS1" ;;
esac
