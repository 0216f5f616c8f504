from cleanwire.cli import main

main()
