from wsbdd.environment import *
