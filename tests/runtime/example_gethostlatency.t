args: -c 'getent hosts localhost' ../../lang-examples/gethostlatency.ebq
