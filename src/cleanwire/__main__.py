from cleanwire.process import main

main()
