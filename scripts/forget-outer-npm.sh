# Sourced by scripts/setup.sh: unsets the variables an outer npm (`npm test`, `npm start`) passes to
# its scripts, so an npm started afterwards reads its own config and reports the Node it runs on.
for name in $(compgen -e); do
  case $name in
    npm_config_* | npm_package_* | npm_lifecycle_* | npm_execpath | npm_node_execpath | npm_command | INIT_CWD)
      unset "$name"
      ;;
  esac
done
unset name
