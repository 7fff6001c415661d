from hubbub.interfaces.cli.app import main

main()
